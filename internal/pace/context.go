package pace

import "context"

type contextKey int

const (
	pacerKey contextKey = iota
	priorityKey
)

// WithPacer returns a context whose GitHub requests Transport paces with p:
// put the installation's pacer in the context where the installation is
// known (where the handler makes its installation client).
func WithPacer(ctx context.Context, p *Pacer) context.Context {
	return context.WithValue(ctx, pacerKey, p)
}

// PacerFrom returns the pacer WithPacer put in ctx, or nil.
func PacerFrom(ctx context.Context) *Pacer {
	p, _ := ctx.Value(pacerKey).(*Pacer)
	return p
}

// WithPriority returns a context whose paced requests wait with priority
// pri: set it where the reason for the writes is known (a command's answer,
// a batch of refreshes), and every request under it inherits it.
func WithPriority(ctx context.Context, pri Priority) context.Context {
	return context.WithValue(ctx, priorityKey, pri)
}

// PriorityFrom returns the priority WithPriority put in ctx, or Normal.
func PriorityFrom(ctx context.Context) Priority {
	pri, ok := ctx.Value(priorityKey).(Priority)
	if !ok {
		return Normal
	}
	return pri
}
