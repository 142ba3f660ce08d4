{{/* The name every object of a release shares: the release name, or release-chart when they differ. */}}
{{- define "minicloud.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "minicloud.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "minicloud.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: panel
{{- end -}}

{{- define "minicloud.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "minicloud.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "minicloud.secretName" -}}
{{- default (printf "%s-secrets" (include "minicloud.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "minicloud.postgresName" -}}
{{- printf "%s-postgresql" (include "minicloud.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
