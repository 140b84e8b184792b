package keyring_test

import (
	"testing"

	"github.com/ariesone/ariesone/platform/keyring"
)

func TestMask(t *testing.T) {
	tests := []struct {
		value   string
		visible int
		want    string
	}{
		{"1EG4TE5MK73", 7, "****TE5MK73"},
		{"1EG4TE5MK73", 4, "****MK73"},
		{"123456789", 4, "****6789"},
		{"12345", 4, "****2345"},
		{"1234", 4, "****"},
		{"123", 4, "****"},
		{"", 4, "****"},
		{"", 0, "****"},
		{"1EG4TE5MK73", 0, "****"},
		{"1EG4TE5MK73", -1, "****"},
		{"1EG4TE5MK73", 11, "****"},
		{"1EG4TE5MK73", 10, "****EG4TE5MK73"},
		{"Zoë Ångström", 4, "****tröm"},
		{"日本語テキスト", 2, "****スト"},
		{"a\xffb\xfec", 2, "****\xfec"},
		{"a\xffb\xfec", 3, "****b\xfec"},
	}
	for _, tt := range tests {
		if got := keyring.Mask(tt.value, tt.visible); got != tt.want {
			t.Errorf("Mask(%q, %d) = %q, want %q", tt.value, tt.visible, got, tt.want)
		}
	}
}
