// Package localapi is the agent's HTTP API on a local Unix socket, for the
// viewer. Each caller is the OS user the socket's peer credentials name
// (the uid looked up with os/user, as spool files are attributed), and sees
// and changes only that user's consent and data; root is no exception. A
// caller whose credentials cannot be read is refused with 403.
//
// The JSON shapes and a typed client are in teamlens/shared/localclient.
// Routes (errors are {"error":"..."} with a 4xx/5xx status):
//
//	GET    /v1/health                          {"ok":true}
//	GET    /v1/me                              user, consent, policy, products with their insights flag
//	GET    /v1/status                          `agent status` as the caller may see it: machine-wide
//	                                           counts, queue and last upload, but only the caller's
//	                                           consent and quarantined days
//	PUT    /v1/consent {"on":bool}             {"consent":bool}; 403 when the policy disables analytics.
//	                                           {"on":false} stops sharing from now on;
//	                                           {"on":false,"withdraw":true} also withdraws what was
//	                                           shared: uploaded days are sent again without analytics
//	GET    /v1/days?from=YYYY-MM-DD&to=...     the caller's day records (wire format), bounds optional
//	GET    /v1/export                          {"events":[...],"days":[...]}, as `agent export --user`
//	GET    /v1/events?limit=N                  {"total":N,"events":[...]}: newest raw events first
//	DELETE /v1/data                            forget everything stored about the caller
//	GET    /v1/insights/overview?days=N        usage time per product and day over the last N days
//	GET    /v1/insights/commands?product=P&days=N
//	                                           completed commands by category, top commands, weekly
//	                                           counts and frequent sequences (insights products only)
//	GET    /v1/insights/performance            mean startup/open/save times of the last 90 days,
//	                                           beside the cached collector quartiles
//	GET    /v1/benchmarks                      the cached collector benchmarks; 404 when none
//
// Windows are whole local calendar days ending today; N is 1 to 366.
package localapi
