"""A real single-node SLURM cluster for the tests: munged, optionally MariaDB + slurmdbd (accounting), slurmctld and
slurmd, each started by hand (no systemd here) in a private folder with its own ports and socket, and each stopped
by its PID.

Debian's packages (``slurm-wlm``, ``munge``, ``mariadb-server``, ``slurmdbd``; ``.ci/run`` installs them). The
node and the controller are ``hostname -s``; ``proctrack/linuxproc`` and ``task/none`` need no cgroups. Commands
reach this cluster through ``SLURM_CONF`` (:meth:`SlurmCluster.env`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
#: Where srun looks for the configuration when SLURM_CONF is not set.
SYSTEM_CONF = Path("/etc/slurm/slurm.conf")
MARKER = ".tradeimbalance-test-cluster"
PACKAGES = ("slurmctld", "slurmd", "sbatch", "squeue", "munged")
ACCOUNTING = ("mariadbd", "mariadb-install-db", "mariadb", "slurmdbd", "sacctmgr")


class ClusterError(RuntimeError):
    """A daemon did not start: the message names the command and what it printed."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing_programs(accounting: bool) -> list[str]:
    return [p for p in (*PACKAGES, *(ACCOUNTING if accounting else ())) if shutil.which(p) is None and not Path("/usr/sbin", p).exists()]


class SlurmCluster:
    """``with SlurmCluster(folder, accounting=True) as c:`` — a running cluster; :attr:`version` its SLURM version."""

    def __init__(self, folder: Path, *, accounting: bool, cluster: str = "tradeimbalance") -> None:
        self.dir = Path(folder)
        self.accounting = accounting
        self.cluster = cluster
        self.host = socket.gethostname().split(".")[0]
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.version = ""
        self._linked = False

    # ------------------------------------------------------------------ helpers
    def env(self) -> dict[str, str]:
        return {**os.environ, "SLURM_CONF": str(self.dir / "slurm.conf")}

    def _log(self, name: str) -> Path:
        return self.dir / "log" / f"{name}.log"

    def _start(self, name: str, cmd: list[str], ready: callable, timeout: float = 30.0) -> None:  # type: ignore[valid-type]
        out = open(self._log(name), "ab")  # noqa: SIM115 - kept open for the daemon's life
        self.procs[name] = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=self.env(), start_new_session=True)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.procs[name].poll() is not None:
                raise ClusterError(f"{' '.join(cmd)} exited with {self.procs[name].returncode}: {self._log(name).read_text(errors='replace')[-1500:]}")
            if ready():
                return
            time.sleep(0.2)
        raise ClusterError(f"{' '.join(cmd)} did not become ready in {timeout:.0f} s: {self._log(name).read_text(errors='replace')[-1500:]}")

    def run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(list(cmd), env=self.env(), capture_output=True, text=True, timeout=60)
        if check and proc.returncode != 0:
            raise ClusterError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
        return proc

    # ------------------------------------------------------------------ start / stop
    def __enter__(self) -> SlurmCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        for sub in ("log", "state", "spool", "munge", "db"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        munge_socket = self.dir / "munge" / "munge.socket"
        shutil.chown(self.dir / "munge", "munge", "munge")
        os.chmod(self.dir / "munge", 0o755)  # munged: execute permission for all on the socket folder
        for d in (self.dir, *self.dir.parents):  # munged refuses a socket folder reachable only through unsafe paths
            if d == Path("/"):
                break
            os.chmod(d, os.stat(d).st_mode | 0o111)
        self._start(
            "munged",
            ["runuser", "-u", "munge", "--", "/usr/sbin/munged", "--foreground", f"--socket={munge_socket}", "--key-file=/etc/munge/munge.key",
             f"--pid-file={self.dir / 'munge' / 'munged.pid'}", f"--log-file={self.dir / 'munge' / 'munged.log'}", f"--seed-file={self.dir / 'munge' / 'munged.seed'}"],
            lambda: munge_socket.exists(),
        )  # fmt: skip
        ports = {"ctld": _free_port(), "slurmd": _free_port(), "dbd": _free_port(), "db": _free_port()}
        memory = 16000  # the profile asks io_year for 4000 MB × attempt: room for the retry
        lines = [
            f"ClusterName={self.cluster}", f"SlurmctldHost={self.host}", "SlurmUser=root", "SlurmdUser=root",
            f"SlurmctldPort={ports['ctld']}", f"SlurmdPort={ports['slurmd']}", "AuthType=auth/munge", f"AuthInfo=socket={munge_socket}",
            f"StateSaveLocation={self.dir / 'state'}", f"SlurmdSpoolDir={self.dir / 'spool'}",
            f"SlurmctldPidFile={self.dir / 'slurmctld.pid'}", f"SlurmdPidFile={self.dir / 'slurmd.pid'}",
            f"SlurmctldLogFile={self._log('slurmctld.daemon')}", f"SlurmdLogFile={self._log('slurmd.daemon')}",
            "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "MpiDefault=none", "ReturnToService=2",
            "SchedulerType=sched/backfill", "SelectType=select/cons_tres", "SelectTypeParameters=CR_Core_Memory",
            "JobAcctGatherType=jobacct_gather/none", "MinJobAge=300", "InactiveLimit=0", "KillWait=5", "Waittime=0",
            f"NodeName={self.host} CPUs={os.cpu_count() or 1} RealMemory={memory} State=UNKNOWN",
            f"PartitionName=debug Nodes={self.host} Default=YES MaxTime=INFINITE State=UP",
        ]  # fmt: skip
        if self.accounting:
            lines += ["AccountingStorageType=accounting_storage/slurmdbd", "AccountingStorageHost=localhost", f"AccountingStoragePort={ports['dbd']}", "AccountingStorageEnforce=associations",
                      f"AccountingStoragePass={munge_socket}"]  # the munge socket for talking to slurmdbd
        else:
            lines += ["AccountingStorageType=accounting_storage/none"]
        (self.dir / "slurm.conf").write_text("\n".join(lines) + "\n")
        # Inside a job, the SLURM plugin's job step removes every SLURM_* variable but the job's identity (SLURM_CONF
        # too) before it calls srun, so srun reads the default /etc/slurm/slurm.conf, as on a production cluster:
        # link it there for the cluster's life (never over a file that is not ours).
        (self.dir / MARKER).write_text("a test cluster of tests/slurmcluster.py\n")
        self.activate()
        if self.accounting:
            self._start_accounting(ports, munge_socket)
            self._register_cluster()
        self._start("slurmctld", ["/usr/sbin/slurmctld", "-D", "-f", str(self.dir / "slurm.conf")], lambda: self.run("scontrol", "ping", check=False).stdout.count("UP") > 0)
        self._start("slurmd", ["/usr/sbin/slurmd", "-D", "-f", str(self.dir / "slurm.conf")], self._node_idle, timeout=60)
        self.version = self.run("sinfo", "--version").stdout.strip()

    def activate(self) -> None:
        """Point /etc/slurm/slurm.conf at this cluster (the tests' clusters take turns; a machine's own file is never
        replaced)."""
        if SYSTEM_CONF.exists() or SYSTEM_CONF.is_symlink():
            ours = SYSTEM_CONF.is_symlink() and (Path(os.readlink(SYSTEM_CONF)).parent / MARKER).exists()
            if not ours and not (SYSTEM_CONF.is_symlink() and not SYSTEM_CONF.exists()):  # a dangling link of an earlier run may go
                raise ClusterError(f"{SYSTEM_CONF} exists: the tests do not touch a machine's own SLURM configuration")
            SYSTEM_CONF.unlink()
        SYSTEM_CONF.parent.mkdir(parents=True, exist_ok=True)
        SYSTEM_CONF.symlink_to(self.dir / "slurm.conf")
        self._linked = True

    def _start_accounting(self, ports: dict[str, int], munge_socket: Path) -> None:
        db = self.dir / "db"
        subprocess.run(["mariadb-install-db", f"--datadir={db}", "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True, timeout=120)  # fmt: skip
        sock = self.dir / "db" / "mysqld.sock"
        self._start(
            "mariadbd",
            ["mariadbd", "--no-defaults", f"--datadir={db}", f"--socket={sock}", f"--port={ports['db']}", "--bind-address=127.0.0.1", "--user=root",
             f"--pid-file={db / 'mariadbd.pid'}", "--innodb-buffer-pool-size=64M", "--skip-name-resolve"],
            lambda: sock.exists(), timeout=60,
        )  # fmt: skip
        sql = "CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;"
        subprocess.run(["mariadb", f"--socket={sock}", "-uroot", "-e", sql], check=True, capture_output=True, timeout=30)
        conf = self.dir / "slurmdbd.conf"
        conf.write_text(
            "\n".join([
                "AuthType=auth/munge", f"AuthInfo=socket={munge_socket}", "DbdHost=localhost", f"DbdPort={ports['dbd']}", "SlurmUser=root",
                f"PidFile={self.dir / 'slurmdbd.pid'}", f"LogFile={self._log('slurmdbd.daemon')}", "StorageType=accounting_storage/mysql",
                "StorageHost=127.0.0.1", f"StoragePort={ports['db']}", "StorageUser=slurm", "StoragePass=slurm", "StorageLoc=slurm_acct_db",
            ]) + "\n"
        )  # fmt: skip
        os.chmod(conf, 0o600)
        # slurmdbd reads slurmdbd.conf from the folder of SLURM_CONF (self.env())
        self._start("slurmdbd", ["/usr/sbin/slurmdbd", "-D"], lambda: self._listening(ports["dbd"]), timeout=60)

    @staticmethod
    def _listening(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    def _register_cluster(self) -> None:
        user = os.environ.get("USER") or "root"
        self.run("sacctmgr", "-i", "add", "cluster", self.cluster)
        self.run("sacctmgr", "-i", "add", "account", "testaccount", f"cluster={self.cluster}", "description=tests", "organization=tests")
        self.run("sacctmgr", "-i", "add", "user", user, "account=testaccount", f"cluster={self.cluster}")

    def _node_idle(self) -> bool:
        out = self.run("sinfo", "-h", "-N", "-o", "%T", check=False).stdout.split()
        return bool(out) and all(s.rstrip("*") in ("idle", "mixed", "allocated") for s in out)

    def stop(self) -> None:
        """Stop every daemon this object started, by its PID (SIGTERM, then SIGKILL), in the reverse order."""
        for name in reversed(list(self.procs)):
            proc = self.procs[name]
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=15)
        self.procs.clear()
        if self._linked and SYSTEM_CONF.is_symlink() and os.readlink(SYSTEM_CONF) == str(self.dir / "slurm.conf"):
            SYSTEM_CONF.unlink()
        self._linked = False
