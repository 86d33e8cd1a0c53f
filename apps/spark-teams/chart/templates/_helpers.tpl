{{- define "spark-teams.labels" -}}
app.kubernetes.io/name: spark-teams
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: airspark
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Fail early on an empty or duplicated team list rather than render nothing. */}}
{{- define "spark-teams.teams" -}}
{{- if not .Values.teams -}}
{{- fail "teams is empty: spark.teams of the environment must list at least one team" -}}
{{- end -}}
{{- $seen := dict -}}
{{- range .Values.teams -}}
{{- if hasKey $seen .namespace -}}
{{- fail (printf "team namespace %q is listed twice in spark.teams" .namespace) -}}
{{- end -}}
{{- $_ := set $seen .namespace true -}}
{{- end -}}
{{- toJson .Values.teams -}}
{{- end -}}
