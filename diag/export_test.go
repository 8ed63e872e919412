package diag

// CheckSays is what check gives for evidence: the cause and the message it
// prints (the agreement test feeds the message to explain).
func CheckSays(ev Evidence) (Cause, string) {
	cat, cause := Classify(ev)
	return cause, (&chain{}).message(ev, cat)
}
