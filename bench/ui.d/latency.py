"""bench/ui's API-latency client.
Usage: latency.py HOST PORT FINGERPRINT USER PASSWORD-FILE IDS-FILE REQUESTS CLIENTS SEED
IDS-FILE: "vmNAME BACKUP-ID" lines. Logs in, sends one warm-up request per endpoint (timed, reported
apart), then REQUESTS requests (endpoint, VM and backup chosen with a seeded PRNG) from CLIENTS threads,
each with its own keep-alive HTTPS connection. The server's certificate is checked against FINGERPRINT
(SHA-256 of the DER certificate, as `cairn serve` prints it). Prints one line per endpoint:
endpoint n p50 p95 p99 max first errors (milliseconds)."""
import hashlib, http.client, json, random, ssl, sys, threading, time, urllib.parse

host, port, fp, user, pwfile, idsfile = sys.argv[1:7]
nreq, nclients, seed = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
fp = fp.replace(":", "").lower()
password = open(pwfile).read().splitlines()[0]
ids = {}
for line in open(idsfile):
    vm, bid = line.split()
    ids.setdefault(vm, []).append(bid)
vms = sorted(ids)
all_ids = [b for v in vms for b in ids[v]]

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE   # self-signed: pinned by fingerprint below instead

def connect():
    c = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=120)
    c.connect()
    got = hashlib.sha256(c.sock.getpeercert(binary_form=True)).hexdigest()
    if got != fp:
        sys.exit("certificate fingerprint %s is not the server's printed %s" % (got, fp))
    return c

c = connect()
c.request("POST", "/api/v1/login", body=json.dumps({"user": user, "password": password}),
          headers={"Content-Type": "application/json"})
r = c.getresponse()
body = r.read()
if r.status != 200:
    sys.exit("login failed: %d %s" % (r.status, body[:200]))
cookie = r.getheader("Set-Cookie").split(";")[0]
headers = {"Cookie": cookie}

def path_for(ep, rng):
    vm = rng.choice(vms)
    bid = rng.choice(ids[vm])
    return {"dashboard": "/api/v1/dashboard",
            "vms": "/api/v1/vms",
            "vm-backups": "/api/v1/vms/%s/backups" % urllib.parse.quote(vm),
            "backup": "/api/v1/backups/%s" % bid,
            "files": "/api/v1/backups/%s/files?path=/" % bid}[ep]

ENDPOINTS = ["dashboard", "vms", "vm-backups", "backup", "files"]

def timed(conn, path):
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    r.read()
    return (time.perf_counter() - t0) * 1000, r.status

rng = random.Random(seed)
first = {}
for ep in ENDPOINTS:
    ms, st = timed(c, path_for(ep, rng))
    first[ep] = ms
    if st != 200:
        print("warm-up %s: HTTP %d" % (ep, st), file=sys.stderr)
plan = []
for _ in range(nreq):
    ep = rng.choice(ENDPOINTS)
    plan.append((ep, path_for(ep, rng)))

results = {ep: [] for ep in ENDPOINTS}
errors = {ep: 0 for ep in ENDPOINTS}
lock = threading.Lock()
nxt = [0]

def worker():
    conn = connect()
    while True:
        with lock:
            i = nxt[0]
            nxt[0] += 1
        if i >= len(plan):
            break
        ep, path = plan[i]
        try:
            ms, st = timed(conn, path)
        except (OSError, http.client.HTTPException):
            conn = connect()
            with lock:
                errors[ep] += 1
            continue
        with lock:
            if st == 200:
                results[ep].append(ms)
            else:
                errors[ep] += 1
    conn.close()

t0 = time.perf_counter()
ts = [threading.Thread(target=worker) for _ in range(nclients)]
for t in ts: t.start()
for t in ts: t.join()
wall = time.perf_counter() - t0

def pct(xs, p):
    if not xs: return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]

allms = []
for ep in ENDPOINTS:
    xs = results[ep]
    allms += xs
    print("%s %d %.1f %.1f %.1f %.1f %.1f %d" % (ep, len(xs), pct(xs, 50), pct(xs, 95), pct(xs, 99),
                                                max(xs) if xs else float("nan"), first[ep], errors[ep]))
print("all %d %.1f %.1f %.1f %.1f - %d" % (len(allms), pct(allms, 50), pct(allms, 95), pct(allms, 99),
                                           max(allms) if allms else float("nan"), sum(errors.values())))
print("wall %.2f %.1f" % (wall, len(allms) / wall))
