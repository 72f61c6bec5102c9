package localclient

import "context"

// StopSharing turns the caller's analytics off in one of the consent
// contract's two ways: from now on (days already uploaded keep their
// analytics on the collector), or, with withdraw, also sending the days
// already uploaded again without analytics so that the collector drops
// them. It returns the consent now in force.
func (c *Client) StopSharing(ctx context.Context, withdraw bool) (bool, error) {
	if withdraw {
		return c.WithdrawConsent(ctx)
	}
	return c.SetConsent(ctx, false)
}
