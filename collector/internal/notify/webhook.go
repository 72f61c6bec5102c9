package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"teamlens/collector/internal/store"
)

// Webhook kinds.
const (
	KindSlack   = "slack"
	KindTeams   = "teams"
	KindGeneric = "generic"
)

// Header names of generic webhook posts.
const (
	SignatureHeader = "X-Teamlens-Signature" // sha256=<hex HMAC-SHA256 of the body>
	DeliveryHeader  = "X-Teamlens-Delivery"  // the message's id: the same on a retry
)

// ValidKind reports whether kind is a webhook kind.
func ValidKind(kind string) bool {
	return kind == KindSlack || kind == KindTeams || kind == KindGeneric
}

// Sign is the value of SignatureHeader for body under secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// GenericBody is the JSON a generic webhook receives.
type GenericBody struct {
	Team      string `json:"team"`
	Kind      string `json:"kind"`
	Subject   string `json:"subject"`
	Text      string `json:"text"`
	Key       string `json:"key"`
	CreatedAt string `json:"created_at"`
}

// webhookBody renders m for a receiver of kind.
func webhookBody(kind string, m store.Message) ([]byte, error) {
	text := m.Subject + "\n\n" + m.Body
	switch kind {
	case KindSlack:
		return json.Marshal(map[string]string{"text": text})
	case KindTeams:
		// A Teams Workflows "post to a channel when a webhook request is
		// received" flow takes an Adaptive Card in a message.
		return json.Marshal(map[string]any{
			"type": "message",
			"attachments": []any{map[string]any{
				"contentType": "application/vnd.microsoft.card.adaptive",
				"content": map[string]any{
					"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
					"type":    "AdaptiveCard",
					"version": "1.4",
					"body": []any{
						map[string]any{"type": "TextBlock", "text": m.Subject, "weight": "Bolder", "wrap": true},
						map[string]any{"type": "TextBlock", "text": m.Body, "wrap": true},
					},
				},
			}},
		})
	case KindGeneric:
		return json.Marshal(GenericBody{Team: m.Team, Kind: m.Kind, Subject: m.Subject, Text: m.Body, Key: m.Key, CreatedAt: m.CreatedAt})
	}
	return nil, fmt.Errorf("webhook kind %q is not slack, teams or generic", kind)
}

// post sends m to w; any answer but 2xx is a failure.
func post(ctx context.Context, client *http.Client, w store.Webhook, m store.Message) error {
	body, err := webhookBody(w.Kind, m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", w.ID, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "teamlens-collector")
	req.Header.Set(DeliveryHeader, m.ID)
	if w.Kind == KindGeneric {
		req.Header.Set(SignatureHeader, Sign(w.Secret, body))
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", w.ID, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s answered %s", w.ID, resp.Status)
	}
	return nil
}
