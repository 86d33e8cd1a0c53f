{{- define "storage.labels" -}}
app.kubernetes.io/name: storage
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: airspark
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}
