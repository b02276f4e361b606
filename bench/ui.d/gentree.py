"""bench/ui's test tree: DIR/big.bin (SIZE random bytes) and DIR/folder/ (about SIZE bytes of mixed
files: half random data, half log-like text, 4 KiB-32 MiB each, in nested directories).
Usage: gentree.py DIR SIZE SEED. Everything comes from the seed."""
import math, os, random, sys

root, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
MiB = 1 << 20

def write_random(path, n):
    with open(path, "wb") as f:
        while n > 0:
            k = min(n, 4 * MiB)
            f.write(rng.randbytes(k))
            n -= k

words = ["alpha", "backup", "chunk", "disk", "error", "flush", "guest", "host", "index", "job", "kernel",
         "lock", "mount", "node", "open", "prune", "query", "read", "store", "thread", "user", "volume",
         "write", "zone", "GET", "POST", "/api/v1/vms", "/var/log", "200", "404", "ms", "took", "request"]
pool = []
for i in range(8192):
    t = "2026-11-%02d %02d:%02d:%02d.%03d" % (rng.randint(1, 28), rng.randrange(24), rng.randrange(60),
                                              rng.randrange(60), rng.randrange(1000))
    lvl = rng.choice(["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"])
    msg = " ".join(rng.choice(words) if rng.random() < 0.8 else str(rng.randrange(100000))
                   for _ in range(rng.randint(4, 16)))
    pool.append("%s %s worker-%d %s\n" % (t, lvl, rng.randrange(64), msg))
pool = [s.encode() for s in pool]

def write_text(path, n):
    with open(path, "wb") as f:
        while n > 0:
            b = b"".join(rng.choices(pool, k=8192))[:min(n, 4 * MiB)]
            f.write(b)
            n -= len(b)

os.makedirs(os.path.join(root, "folder"), exist_ok=True)
write_random(os.path.join(root, "big.bin"), size)
left = {"random": size // 2, "text": size - size // 2}
i = 0
while left["random"] > 0 or left["text"] > 0:
    kind = rng.choice([k for k in left if left[k] > 0])
    n = min(left[kind], int(math.exp(rng.uniform(math.log(4096), math.log(32 * MiB)))))
    d = os.path.join(root, "folder", "d%d" % rng.randrange(6), "sub%d" % rng.randrange(4))
    os.makedirs(d, exist_ok=True)
    name = os.path.join(d, ("data-%04d.bin" if kind == "random" else "log-%04d.txt") % i)
    (write_random if kind == "random" else write_text)(name, n)
    left[kind] -= n
    i += 1
print(i, "files in folder/")
