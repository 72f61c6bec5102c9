// Package notify delivers the outbox: mail through an SMTP server and
// posts to a team's webhooks (Slack, Microsoft Teams Workflows, or a
// generic receiver checking an HMAC signature), each message once, with
// retries and back-off, across restarts and replicas.
package notify
