{{- define "nodepools.labels" -}}
app.kubernetes.io/name: karpenter-nodepools
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: airspark
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The limits of a pool, keyed by its name in the environment (spark-driver -> sparkDriver). */}}
{{- define "nodepools.limits" -}}
{{- $key := .name | camelcase | untitle -}}
{{- $limits := get .root.Values.limits $key -}}
{{- if not $limits -}}
{{- fail (printf "limits.%s is missing: karpenter.limits.%s of the environment" $key $key) -}}
{{- end -}}
{{- if or (not $limits.cpu) (not $limits.memory) -}}
{{- fail (printf "limits.%s needs cpu and memory (karpenter.limits.%s of the environment)" $key $key) -}}
{{- end -}}
{{- toJson $limits -}}
{{- end -}}
