package probe

import (
	"context"
	"fmt"
	"io"
	"time"
)

// BodyStallError: the answer's headers arrived, then its body stopped
// before it ended. A relay that streams waits on exactly this.
type BodyStallError struct {
	Got   int           `json:"bytes"` // body bytes read before the stall
	After time.Duration `json:"after_ns"`
	Idle  time.Duration `json:"idle_ns,omitempty"` // the silence that ended the read (0 = the deadline did)
}

func (e *BodyStallError) Error() string {
	if e.Idle > 0 {
		return fmt.Sprintf("the body stalled after %d bytes: nothing for %s", e.Got, e.Idle.Round(time.Millisecond))
	}
	return fmt.Sprintf("the body stalled after %d bytes", e.Got)
}

// Timeout: a stall is a timeout to the classifier.
func (e *BodyStallError) Timeout() bool { return true }

// readBody reads at most limit bytes of body, giving up when ctx ends or
// when no byte arrives for idle (0 = no idle bound). Closing body is what
// unblocks a read that waits on a silent peer.
func readBody(ctx context.Context, body io.ReadCloser, limit int64, idle time.Duration) ([]byte, error) {
	type chunk struct {
		b   []byte
		err error
	}
	ch := make(chan chunk, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		buf := make([]byte, 4<<10)
		for {
			n, err := body.Read(buf)
			c := chunk{append([]byte(nil), buf[:n]...), err}
			select {
			case ch <- c:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var out []byte
	var timer <-chan time.Time
	var t *time.Timer
	if idle > 0 {
		t = time.NewTimer(idle)
		defer t.Stop()
		timer = t.C
	}
	for {
		select {
		case c := <-ch:
			if room := int(limit) - len(out); len(c.b) > room {
				c.b, c.err = c.b[:room], nil
				out = append(out, c.b...)
				return out, nil
			}
			out = append(out, c.b...)
			if c.err == io.EOF {
				return out, nil
			}
			if c.err != nil {
				return out, c.err
			}
			if int64(len(out)) >= limit {
				return out, nil
			}
			if t != nil && len(c.b) > 0 {
				t.Reset(idle)
			}
		case <-timer:
			body.Close()
			return out, &BodyStallError{Got: len(out), Idle: idle}
		case <-ctx.Done():
			body.Close()
			return out, ctx.Err()
		}
	}
}
