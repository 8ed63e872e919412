package diag

import "context"

// runAttempts runs one endpoint's chain. (The CI-preflight work extends this
// with retries; a single attempt is the behaviour without --retries.)
func runAttempts(ctx context.Context, o RunOptions, one func(context.Context) EndpointResult) EndpointResult {
	return one(ctx)
}
