package keyring_test

import "testing"

func BenchmarkEncrypt16(b *testing.B) {
	k := mustParse(b, "index:"+indexKey+",1:"+key1)
	plaintext := []byte("1EG4TE5MK73-abcd")
	aad := []byte("018f2c1e-7b3a-7000-8000-000000000001\x00mbi")
	b.SetBytes(int64(len(plaintext)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Encrypt(plaintext, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt16(b *testing.B) {
	k := mustParse(b, "index:"+indexKey+",1:"+key1)
	aad := []byte("018f2c1e-7b3a-7000-8000-000000000001\x00mbi")
	sealed, err := k.Encrypt([]byte("1EG4TE5MK73-abcd"), aad)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(16)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Decrypt(sealed, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	k := mustParse(b, "index:"+indexKey+",1:"+key1)
	b.ReportAllocs()
	for b.Loop() {
		k.BlindIndex("patients.mbi", "1EG4TE5MK73")
	}
}
