"""Benchmark avn-token against curl and avn on loopback. Run through bench/run.sh.

Usage: bench.py AVN_TOKEN_BINARY [ROUNDS]

Everything is measured in ONE run, commands alternating round by round so that machine
noise hits them alike: wall time from fork to exit (time.perf_counter around Popen +
wait). Medians are reported. Peak RSS comes from GNU time (`time -f %M`: /usr/bin/time on
Linux, `gtime` from Homebrew's gnu-time on macOS, whose /usr/bin/time is BSD's), in a
separate pass: ru_maxrss seen from Python would include the Python parent's pages copied
at fork (about 15 MiB), GNU time's own are about 1 MiB.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AVN = os.environ.get("AVN", "/tmp/avnvenv/bin/avn")
# As long as a real token (344 base64 characters): the client scrubs every response of
# any piece of it, and that costs in proportion to the body, not the token.
TOKEN = "bench+token/" + "x" * 330 + "=="


def measure(argv, env, expect=0):
    """Wall seconds of one run, stdout discarded; the run must exit with `expect`."""
    start = time.perf_counter()
    child = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if child.returncode != expect:
        sys.exit(f"{argv[0]} exited {child.returncode}, not {expect}: {child.stderr.decode()}")
    return wall


def gnu_time():
    """GNU time: `gtime` (macOS, Homebrew's gnu-time), else `time` on PATH or /usr/bin/time,
    whichever takes `-f %M` (BSD's does not); exits with what to install when none does."""
    for candidate in (shutil.which("gtime"), shutil.which("time"), "/usr/bin/time"):
        if candidate and subprocess.run([candidate, "-f", "%M", "true"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL).returncode == 0:
            return candidate
    sys.exit("peak memory needs GNU time (`time -f %M`): install the `time` package, or "
             "`brew install gnu-time` on macOS")


def peak_rss_mib(argv, env, runs=5, expect=0):
    """The largest peak RSS over `runs` runs, per GNU time."""
    peaks = []
    time_command = gnu_time()
    with tempfile.NamedTemporaryFile("r") as report:
        for _ in range(runs):
            child = subprocess.run([time_command, "-f", "%M", "-o", report.name, *argv],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if child.returncode != expect:
                sys.exit(f"{argv[0]} exited {child.returncode}, not {expect}")
            report.seek(0)
            peaks.append(int(report.read().split()[-1]))
    return max(peaks) / 1024


def alternate(commands, rounds, every=None, expect=None):
    """Run `commands` (name -> (argv, env)) in turns; `every[name] = k` runs it every k-th round;
    `expect[name]` is the exit status it must end with (default 0)."""
    every, expect = every or {}, expect or {}
    samples = {name: [] for name in commands}
    for name, (argv, env) in commands.items():  # one warm-up each (page cache)
        measure(argv, env, expect.get(name, 0))
    for round_ in range(rounds):
        for name, (argv, env) in commands.items():
            if round_ % every.get(name, 1) == 0:
                samples[name].append(measure(argv, env, expect.get(name, 0)))
    return samples


def median_ms(samples):
    return statistics.median(samples) * 1000


def start(argv, env=None):
    """Start a server that prints its port (or `export` lines) first; wait for that line.
    The server's own notes on stderr are dropped: they are not results."""
    server = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if line.strip().isdigit() or "AIVEN_AUTH_TOKEN" in line:
            return server, lines
    server.kill()
    return None, lines


def sandbox(binary, base_env):
    """The real sandbox: (server, url, token). It is part of every build, so failing to
    start it is an error, never a silent switch to another server."""
    server, lines = start([binary, "sandbox", "--listen", "127.0.0.1:0", "--token", TOKEN], base_env)
    if server is None:
        sys.exit(f"avn-token sandbox did not start: {lines}")
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export ")
    )
    url = exports.get("AIVEN_WEB_URL", "").strip("'\"")
    token = exports.get("AIVEN_AUTH_TOKEN", TOKEN).strip("'\"")
    return server, url, token


def canned(count, cert=None, key=None):
    argv = [sys.executable, os.path.join(HERE, "canned_server.py"), str(count)]
    if cert:
        argv += [cert, key]
    server, lines = start(argv)
    if server is None:
        sys.exit("the canned server did not start")
    scheme = "https" if cert else "http"
    return server, f"{scheme}://127.0.0.1:{lines[-1]}"


def make_ca(directory):
    """A throwaway CA and a certificate for 127.0.0.1 signed by it."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=avn-token bench CA")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(directory, "san.ext"), "w") as ext:
        ext.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return [os.path.join(directory, name) for name in ("ca.pem", "server.pem", "server.key")]


def make_other_ca(directory):
    """A second throwaway CA, which signed nothing the server sends."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", "other.key", "-out",
                    "other.pem", "-days", "2", "-subj", "/CN=avn-token bench other CA"],
                   cwd=directory, check=True, capture_output=True)
    return os.path.join(directory, "other.pem")


def main():
    binary = os.path.abspath(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    work = tempfile.mkdtemp(prefix="avn-token-bench-")
    base_env = {"PATH": os.environ["PATH"], "HOME": work, "NO_COLOR": "1"}
    servers = []
    results = {}
    try:
        server, url, token = sandbox(binary, base_env)
        servers.append(server)
        source = "the sandbox (`avn-token sandbox`)"
        env = dict(base_env, AIVEN_WEB_URL=url, AIVEN_AUTH_TOKEN=token)
        for index in range(5):  # a realistic list: a few personal tokens
            measure([binary, "create", "--description", f"bench {index}"], env)

        commands = {
            "avn-token list": ([binary, "list"], env),
            "curl": (["curl", "-sf", "-o", "/dev/null", "-H", f"Authorization: aivenv1 {token}",
                      f"{url}/v1/access_token"], env),
        }
        every = {}
        if os.path.exists(AVN):
            commands["avn user access-token list"] = ([AVN, "user", "access-token", "list"], env)
            every["avn user access-token list"] = 3
        samples = alternate(commands, rounds, every)
        rss = {name: peak_rss_mib(*command, runs=2 if name.startswith("avn user") else 5)
               for name, command in commands.items()}

        big_server, big_url = canned(10_000)
        servers.append(big_server)
        big_env = dict(base_env, AIVEN_WEB_URL=big_url, AIVEN_AUTH_TOKEN=TOKEN)
        big_list = ([binary, "list"], big_env)
        big = alternate({"list 10k": big_list,
                         "curl 10k": (["curl", "-sf", "-o", "/dev/null", "-H",
                                       f"Authorization: aivenv1 {TOKEN}",
                                       f"{big_url}/v1/access_token"], big_env)}, max(rounds // 3, 5))
        rss["list 10k"] = peak_rss_mib(*big_list)

        ca, cert, key = make_ca(work)
        other_ca = make_other_ca(work)
        tls_server, tls_url = canned(6, cert, key)
        servers.append(tls_server)
        tls_env = dict(base_env, AIVEN_WEB_URL=tls_url, AIVEN_AUTH_TOKEN=TOKEN)
        tls_list = ([binary, "--auth-ca", ca, "list"], tls_env)
        # Default trust (the compiled-in roots) cannot verify a throwaway local CA, so that
        # run ends at certificate verification; its yardstick ends there too: one CA, the
        # wrong one. Same network work, so the difference is setting up trust.
        trust = {
            "https list": tls_list,
            "https curl": (["curl", "-sf", "-o", "/dev/null", "--cacert", ca, "-H",
                            f"Authorization: aivenv1 {TOKEN}", f"{tls_url}/v1/access_token"],
                           tls_env),
            "default trust": ([binary, "list"], tls_env),
            "one other CA": ([binary, "--auth-ca", other_ca, "list"], tls_env),
        }
        tls = alternate(trust, rounds, expect={"default trust": 1, "one other CA": 1})
        rss["https list"] = peak_rss_mib(*tls_list)
    finally:
        for server in servers:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)

    ours = median_ms(samples["avn-token list"])
    curl = median_ms(samples["curl"])
    print(f"server: {source}; rounds: {rounds}")
    print()
    print("| measure | result | target |")
    print("|---|---|---|")
    print(f"| `avn-token list` wall (median) | {ours:.1f} ms | |")
    print(f"| `curl` same request (median) | {curl:.1f} ms | |")
    print(f"| ratio avn-token / curl | {ours / curl:.2f}× | ≤ 0.6× |")
    if "avn user access-token list" in samples:
        avn = median_ms(samples["avn user access-token list"])
        print(f"| `avn user access-token list` (median of {len(samples['avn user access-token list'])}) "
              f"| {avn:.0f} ms | |")
        print(f"| avn / avn-token | {avn / ours:.0f}× faster | ≥ 40× |")
        print(f"| `avn` peak RSS | {rss['avn user access-token list']:.1f} MiB | |")
    print(f"| `avn-token list` peak RSS (max of 5) | {rss['avn-token list']:.2f} MiB "
          f"(curl: {rss['curl']:.2f} MiB) | ≤ 6 MiB |")
    print(f"| release binary size | {os.path.getsize(binary) / 1e6:.2f} MB "
          f"({os.path.getsize(binary) / 2**20:.2f} MiB) | ≤ 8 MB |")
    big_ours, big_curl = median_ms(big['list 10k']), median_ms(big['curl 10k'])
    print(f"| `list` of 10,000 tokens, whole command (median) | {big_ours:.1f} ms "
          f"(curl fetching the same body: {big_curl:.1f} ms) | |")
    print(f"| ratio list 10,000 / curl | {big_ours / big_curl:.2f}× | ≤ 3× |")
    print(f"| `list` of 10,000 tokens peak RSS | {rss['list 10k']:.1f} MiB | ≤ 32 MiB |")
    print(f"| local HTTPS `list` with `--auth-ca` (median) | {median_ms(tls['https list']):.1f} ms "
          f"(curl --cacert: {median_ms(tls['https curl']):.1f} ms) | ≤ 20 ms |")
    print(f"| local HTTPS peak RSS | {rss['https list']:.2f} MiB | |")
    default, one = median_ms(tls["default trust"]), median_ms(tls["one other CA"])
    print(f"| HTTPS to verification, default trust (median) | {default:.1f} ms | |")
    print(f"| the same with `--auth-ca` of one (other) CA | {one:.1f} ms | |")
    print(f"| ratio default trust / one CA | {default / one:.2f}× | ≤ 1.3× |")


if __name__ == "__main__":
    main()
