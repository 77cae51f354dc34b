package demo

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestStoryHolds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var out bytes.Buffer
	st, err := Play(ctx, w, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Held() {
		t.Fatalf("the story did not hold:\n%v", st.Failures)
	}
}
