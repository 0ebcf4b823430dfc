/** Times as the API server writes them. */

/**
 * RFC 3339 in UTC with whole seconds, as metav1.Time marshals (k8s.io/apimachinery
 * pkg/apis/meta/v1/time.go: `t.UTC().Format(time.RFC3339)`).
 */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
