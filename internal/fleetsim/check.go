package fleetsim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"teamlens/shared/wire"
	"time"
)

// Check reads each team's insights (GET /v1/teams/{team}/insights with that
// team's admin token), prints how many of each kind it has, and fails
// unless every kind appears for some team.
func Check(ctx context.Context, collector string, tokens map[string]string, out io.Writer) error {
	client := &http.Client{Timeout: 2 * time.Minute}
	seen := map[string]bool{}
	teams := make([]string, 0, len(tokens))
	for t := range tokens {
		teams = append(teams, t)
	}
	sort.Strings(teams)
	for _, team := range teams {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(collector, "/")+"/v1/teams/"+team+"/insights", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tokens[team])
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		var snap struct {
			Insights    []struct{ Kind string }
			Unavailable []struct{ Kind, Reason string }
		}
		err = json.NewDecoder(resp.Body).Decode(&snap)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			return fmt.Errorf("insights of %s: status %d: %v", team, resp.StatusCode, err)
		}
		counts := map[string]int{}
		for _, i := range snap.Insights {
			counts[i.Kind]++
			seen[i.Kind] = true
		}
		var parts []string
		for _, k := range wire.InsightKinds {
			if counts[k] > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
			}
		}
		reasons := map[string]bool{}
		for _, u := range snap.Unavailable {
			reasons[u.Reason] = true
		}
		for r := range reasons {
			parts = append(parts, "unavailable: "+r)
		}
		fmt.Fprintf(out, "  %-10s %s\n", team, strings.Join(parts, ", "))
	}
	var missing []string
	for _, k := range wire.InsightKinds {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no team has %s", strings.Join(missing, ", "))
	}
	fmt.Fprintln(out, "every insight kind appears for some team")
	return nil
}
