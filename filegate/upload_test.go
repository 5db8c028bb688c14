package filegate

import "testing"

func TestAutoPartSize(t *testing.T) {
	const mib, gib = int64(1 << 20), int64(1 << 30)
	for _, c := range []struct{ size, want int64 }{
		{1, 8 * mib},
		{128 * mib, 8 * mib},
		{129 * mib, 9 * mib},
		{gib, 64 * mib},
		{100 * gib, 64 * mib},
		{5 * gib * 1024, 525 * mib}, // 5 TiB: the smallest whole-MiB part within 10,000 parts
	} {
		if got := AutoPartSize(c.size); got != c.want {
			t.Errorf("AutoPartSize(%d) = %d MiB, want %d MiB", c.size, got/mib, c.want/mib)
		}
	}
	for _, size := range []int64{gib, 100 * gib, 5 * 1024 * gib} {
		if parts := (size + AutoPartSize(size) - 1) / AutoPartSize(size); parts > 10000 {
			t.Errorf("%d bytes in %d parts", size, parts)
		}
	}
}
