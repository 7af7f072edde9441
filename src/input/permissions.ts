/** The permissions an application key needs (Datadog's DORA Metrics API reference). */
export const READ = 'dora_metrics_read';
export const WRITE = 'dora_metrics_write';
