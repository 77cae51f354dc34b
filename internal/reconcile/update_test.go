package reconcile

import (
	"reflect"
	"testing"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// TestSameItemComparesEveryField: sameItem must tell two items apart by any
// of their fields, those added later too.
func TestSameItemComparesEveryField(t *testing.T) {
	var a drafts.Item
	if !sameItem(a, a) {
		t.Fatal("an item differs from itself")
	}
	typ := reflect.TypeOf(a)
	for i := range typ.NumField() {
		b := a
		f := reflect.ValueOf(&b).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Int:
			f.SetInt(1)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		default:
			t.Fatalf("field %s of kind %s: teach this test (and sameItem) about it", typ.Field(i).Name, f.Kind())
		}
		if sameItem(a, b) {
			t.Errorf("sameItem does not compare the field %s", typ.Field(i).Name)
		}
	}
}
