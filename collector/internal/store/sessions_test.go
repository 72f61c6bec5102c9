package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/internal/testenv"
)

func TestSessionsOfBothSources(t *testing.T) {
	ctx := context.Background()
	now := testenv.Epoch()
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			st := storetest.Open(t, eng.DSN(t))
			roles := []store.Grant{{Team: "T1", Email: "ann@acme.example", Role: "secondary", CanPurchase: true}}
			sso := store.NewSession{Email: "Ann@Acme.example", Source: store.SourceOIDC, Subject: "sub-1", GroupRoles: roles,
				RefreshToken: "rt-1", Expires: now.Add(8 * time.Hour), IdleUntil: now.Add(30 * time.Minute), UserAgent: "ua", Address: "192.0.2.1"}
			id, csrf, err := st.CreateSession(ctx, sso, now)
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.SessionByID(ctx, id, now.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if got.Email != "ann@acme.example" || got.Source != store.SourceOIDC || got.Subject != "sub-1" || got.CSRF != csrf ||
				!reflect.DeepEqual(got.GroupRoles, roles) || got.RefreshToken != "rt-1" || got.Address != "192.0.2.1" ||
				!got.CreatedAt.Equal(now) || got.TokenID != "" {
				t.Errorf("read back: %+v", got)
			}
			// Idle: gone at idle_until unless touched; a touch never passes the end.
			if _, err := st.SessionByID(ctx, id, now.Add(30*time.Minute)); !errors.Is(err, store.ErrUnauthorized) {
				t.Errorf("idle session: %v", err)
			}
			if err := st.TouchSession(ctx, id, now.Add(29*time.Minute), now.Add(59*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if got, err := st.SessionByID(ctx, id, now.Add(58*time.Minute)); err != nil || !got.LastSeenAt.Equal(now.Add(29*time.Minute)) {
				t.Errorf("touched session: %+v %v", got, err)
			}
			if err := st.TouchSession(ctx, id, now.Add(7*time.Hour), now.Add(9*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := st.SessionByID(ctx, id, now.Add(8*time.Hour)); !errors.Is(err, store.ErrUnauthorized) {
				t.Errorf("past the absolute end: %v", err)
			}
			// Re-check stores the new roles and refresh token.
			id2, _, err := st.CreateSession(ctx, sso, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.RecheckSession(ctx, id2, nil, "rt-2", now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if got, err := st.SessionByID(ctx, id2, now.Add(time.Minute)); err != nil || len(got.GroupRoles) != 0 || got.RefreshToken != "rt-2" ||
				!got.CheckedAt.Equal(now.Add(time.Minute)) {
				t.Errorf("after the re-check: %+v %v", got, err)
			}
			// The cap is per email for sessions of the provider.
			for i := 0; i < store.MaxSessionsPerToken; i++ {
				if _, _, err := st.CreateSession(ctx, sso, now.Add(time.Duration(i+1)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.SessionByID(ctx, id2, now.Add(time.Minute)); !errors.Is(err, store.ErrUnauthorized) {
				t.Errorf("the oldest of %d sessions of one email lives on: %v", store.MaxSessionsPerToken+1, err)
			}
			list, err := st.Sessions(ctx, []string{"ANN@acme.example"}, now.Add(time.Minute))
			if err != nil || len(list) != store.MaxSessionsPerToken {
				t.Fatalf("sessions of ann: %d %v", len(list), err)
			}
			if n, err := st.EndSessionsOf(ctx, "ann@acme.example"); err != nil || n != store.MaxSessionsPerToken {
				t.Errorf("end everywhere: %d %v", n, err)
			}
			if ok, err := st.EndSession(ctx, list[0].Handle); err != nil || ok {
				t.Errorf("ending an ended session: %v %v", ok, err)
			}
		})
	}
}

func TestOIDCFlowIsGoodOnce(t *testing.T) {
	ctx := context.Background()
	now := testenv.Epoch()
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			st := storetest.Open(t, eng.DSN(t))
			f := store.OIDCFlow{Nonce: "n", Verifier: "v"}
			if err := st.SaveOIDCFlow(ctx, "state-1", f, now.Add(10*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := st.SaveOIDCFlow(ctx, "state-2", f, now.Add(10*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if got, err := st.TakeOIDCFlow(ctx, "state-1", now); err != nil || got != f {
				t.Fatalf("take: %+v %v", got, err)
			}
			if _, err := st.TakeOIDCFlow(ctx, "state-1", now); !errors.Is(err, store.ErrUnauthorized) {
				t.Errorf("a state taken twice: %v", err)
			}
			if _, err := st.TakeOIDCFlow(ctx, "state-2", now.Add(10*time.Minute)); !errors.Is(err, store.ErrUnauthorized) {
				t.Errorf("an expired state: %v", err)
			}
			if _, err := st.TakeOIDCFlow(ctx, "never", now); !errors.Is(err, store.ErrUnauthorized) {
				t.Errorf("an unknown state: %v", err)
			}
		})
	}
}
