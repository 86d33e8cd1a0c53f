{{/* Names and labels shared by every object of the chart. */}}

{{- define "livy.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "livy.selectorLabels" -}}
app.kubernetes.io/name: livy
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "livy.labels" -}}
{{ include "livy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: server
app.kubernetes.io/part-of: airspark
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The image of the Livy server, refusing to render without an explicit pin. */}}
{{- define "livy.image" -}}
{{- $repository := required "image.repository is required (components.livy.image.repository)" .Values.image.repository -}}
{{- $tag := required "image.tag is required (components.livy.image.tag)" .Values.image.tag -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}

{{/* The image of drivers and executors: Livy's own image unless another is given. */}}
{{- define "livy.sparkImage" -}}
{{- default (include "livy.image" .) .Values.spark.image -}}
{{- end -}}

{{/*
The namespaces Livy may submit to. The default namespace must be one of them, otherwise Livy would
submit into a namespace where it has no Role and every batch would fail at the first API call.
*/}}
{{- define "livy.sparkNamespaces" -}}
{{- $default := required "spark.namespace is required (the default Spark team namespace)" .Values.spark.namespace -}}
{{- if not (has $default .Values.spark.namespaces) -}}
{{- fail (printf "spark.namespace %q must be one of spark.namespaces %v" $default .Values.spark.namespaces) -}}
{{- end -}}
{{- toJson .Values.spark.namespaces -}}
{{- end -}}

{{- define "livy.stateStoreDir" -}}/var/lib/livy/state{{- end -}}
{{- define "livy.podTemplateDir" -}}/opt/livy/pod-templates{{- end -}}
