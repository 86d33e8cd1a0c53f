{{- define "spark-history-server.labels" -}}
app.kubernetes.io/name: spark-history-server
app.kubernetes.io/part-of: airspark
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "spark-history-server.selectorLabels" -}}
app.kubernetes.io/name: spark-history-server
airspark.dev/spark-team: {{ .team }}
{{- end -}}
