{{- define "airflow-secrets.labels" -}}
app.kubernetes.io/name: airflow-secrets
app.kubernetes.io/part-of: airspark
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/*
The target of an ExternalSecret: the operator owns the Secret it makes, and keeps it when the
source disappears from AWS (a deleted secret must not take Airflow down with it).
*/}}
{{- define "airflow-secrets.target" -}}
name: {{ .name }}
creationPolicy: Owner
deletionPolicy: Retain
{{- end -}}
