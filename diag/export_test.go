package diag

// Causes lists every cause of the hint catalogue, for the external tests.
func Causes() []string {
	out := make([]string, 0, len(catalogue))
	for c := range catalogue {
		out = append(out, c)
	}
	return out
}
