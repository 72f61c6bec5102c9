package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"teamlens/shared/localclient"
)

// remote runs the CLI commands of a user who cannot open the service's
// database: through the running agent's socket, where the peer
// credentials, not a flag, say whose data it is. Without an agent
// answering it fails and writes nothing.
type remote struct {
	socket string
	client *localclient.Client
}

// connect checks that an agent answers on the socket.
func (r *remote) connect(ctx context.Context) error {
	if r.client == nil {
		r.client = localclient.NewClient(r.socket)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.client.Health(ctx); err != nil {
		return fmt.Errorf("no agent answers on %s (is the service running? --socket names another socket): "+
			"as a user other than root this command goes through the running agent and writes nothing itself: %w", r.socket, err)
	}
	return nil
}

// me checks that user, when given, is the caller: the agent acts only on
// the data of the OS user at the other end of the socket.
func (r *remote) me(ctx context.Context, user string) error {
	me, err := r.client.Me(ctx)
	if err != nil {
		return err
	}
	if user != "" && user != me.User {
		return fmt.Errorf("you are %s: only root may read or change the data of %s", me.User, user)
	}
	return nil
}

// consent prints or changes the caller's consent.
func (r *remote) consent(ctx context.Context, user, action string, withdraw bool, w io.Writer) error {
	if err := checkConsentArgs(action, withdraw); err != nil {
		return err
	}
	if err := r.connect(ctx); err != nil {
		return err
	}
	if err := r.me(ctx, user); err != nil {
		return err
	}
	var on bool
	var err error
	switch {
	case withdraw:
		on, err = r.client.WithdrawConsent(ctx)
	case action == "status":
		var me localclient.Me
		me, err = r.client.Me(ctx)
		on = me.Consent
	default:
		on, err = r.client.SetConsent(ctx, action == "on")
	}
	if err != nil {
		return err
	}
	return printConsent(w, on, withdraw)
}

// status prints the agent's status as the caller may see it.
func (r *remote) status(ctx context.Context, w io.Writer) error {
	if err := r.connect(ctx); err != nil {
		return err
	}
	s, err := r.client.Status(ctx)
	if err != nil {
		return err
	}
	return writeJSON(w, s)
}

// export prints everything stored about the caller.
func (r *remote) export(ctx context.Context, user string, w io.Writer) error {
	if err := r.connect(ctx); err != nil {
		return err
	}
	if err := r.me(ctx, user); err != nil {
		return err
	}
	return r.client.ExportTo(ctx, w)
}

// forget deletes everything stored about the caller.
func (r *remote) forget(ctx context.Context, user string, w io.Writer) error {
	if err := r.connect(ctx); err != nil {
		return err
	}
	if err := r.me(ctx, user); err != nil {
		return err
	}
	if err := r.client.Forget(ctx); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "deleted all data of %s\n", user)
	return err
}

// requeue is root's alone.
func (r *remote) requeue(context.Context, string, io.Writer) error {
	return errors.New("requeue changes the agent's upload queue: run it as root")
}
