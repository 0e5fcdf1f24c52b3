#!/usr/bin/env python3
"""Validates rendered Kubernetes manifests of assistd (the output of `kubectl kustomize`).

  validate_k8s.py [--repo DIR] [FILE ...]     (stdin when no file; YAML, many documents)

Prints one line per problem, "<Kind>/<namespace>/<name>: <problem>", and exits 1 if
there is any (0 otherwise). With --repo, the flags and ASSISTD_* variables the
manifests use are checked against services/assistd/main.cc, the service names
against services/common/service_names.cc, and the addresses each process needs
against the services' code (which service calls which).

Checks:
  - required fields of each kind (names, selectors, containers, ports, storage...)
  - images pinned: a tag other than `latest`, or a digest
  - every workload: selector matches its pod template's labels; readiness and
    liveness probes whose ports are ports of the container; requests and limits
    for CPU and memory; automountServiceAccountToken: false; no host namespaces;
    a privileged container (or CAP_SYS_ADMIN) only with a non-empty
    assistd.dev/privileged-reason annotation on the pod template
  - Services, PodDisruptionBudgets and NetworkPolicies select the pods of some
    workload; a Service's targetPort is a port of the pods it selects
  - referenced ConfigMaps, Secrets, PVCs, ServiceAccounts and headless Services exist
  - a pod that hosts only the sandbox is covered by a NetworkPolicy that denies
    all egress, and by none that allows some
  - (--repo) flags and env fallbacks exist (or the ASSISTD_* variable is one the code
    reads with getenv, e.g. ASSISTD_INTERNAL_TOKEN); --services names are real; a gRPC
    probe's service name is one the process hosts;
    --<service>_addr points at a Service port whose pods host that service; each
    process has an address for every service its hosted services call
  - (--repo) --auth/ASSISTD_AUTH is keys, none or auto, and none only on a loopback
    --grpc_addr (assistd refuses to start otherwise)
  - several assistd workloads (a split deployment, whose processes call each other):
    every assistd container gets ASSISTD_INTERNAL_TOKEN from a Secret (secretKeyRef,
    or envFrom of a Secret that has that key), never a literal value, and all of
    them the same token (rendered Secrets compared by value; of at least 32
    characters), else their calls to each other are refused
  - planned things (assistd.dev/planned-flags, assistd.dev/planned-services on a
    pod template) are allowed only on a workload with 0 replicas
  - labels and annotations are strings (an unquoted `9464` or `true` is rejected
    by the API server)
  - metrics: a pod template with prometheus.io/scrape: "true" has a
    prometheus.io/port that is a containerPort of the pod, and a prometheus.io/path
    starting with "/"; (--repo) the container owning that port serves /metrics
    there: its --metrics_addr (or ASSISTD_METRICS_ADDR) is set, not on loopback,
    with that port, and the path is /metrics; any --metrics_addr's port is a
    containerPort of its container and differs from the gRPC port
"""

import argparse
import base64
import binascii
import glob
import os
import re
import sys

import yaml

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")
PRIVILEGED_REASON = "assistd.dev/privileged-reason"
PLANNED_FLAGS = "assistd.dev/planned-flags"
PLANNED_SERVICES = "assistd.dev/planned-services"
# The conventional pod annotations Prometheus scrape configs act on.
SCRAPE = "prometheus.io/scrape"
SCRAPE_PORT = "prometheus.io/port"
SCRAPE_PATH = "prometheus.io/path"
METRICS_PATH = "/metrics"  # the only path assistd's metrics endpoint serves
LOOPBACK_HOSTS = ("127.", "localhost", "[::1]", "::1")
# The secret a split deployment's processes send each other
# (services/common/auth_interceptor.cc); assistd refuses a shorter one.
INTERNAL_TOKEN = "ASSISTD_INTERNAL_TOKEN"
INTERNAL_TOKEN_MIN = 32
AUTH_MODES = ("keys", "none", "auto")
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "RuntimeClass",
                  "PersistentVolume", "StorageClass", "PriorityClass"}
# absl's own flags, accepted by every binary.
ABSL_BUILTIN_FLAGS = {"flagfile", "fromenv", "tryfromenv", "undefok", "help", "helpfull",
                      "helpshort", "helppackage", "version", "only_check_args"}


def read(path):
    with open(path) as f:
        return f.read()


def ref(obj):
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace", "-")
    return f"{obj.get('kind', '?')}/{ns}/{meta.get('name', '?')}"


def load(texts):
    objects = []
    for text in texts:
        for doc in yaml.safe_load_all(text):
            if doc is None:
                continue
            if doc.get("kind") == "List":
                objects.extend(doc.get("items") or [])
            else:
                objects.append(doc)
    return objects


# --- facts from the source tree ---------------------------------------------


class Source:
    """What the validator knows of assistd's code (empty without --repo)."""

    def __init__(self, repo=None):
        self.flags = None          # flag names of assistd
        self.env_flags = None      # flags that have an ASSISTD_* fallback
        self.env_vars = set()      # ASSISTD_* variables the code reads with getenv
        self.services = None       # names --services accepts (without 'all')
        self.front_ends = set()    # non-gRPC names --services also accepts (gateway)
        self.calls = {}            # service -> services it calls
        self.grpc_names = {}       # service -> its gRPC service names (health)
        if repo:
            self._read(repo)

    def _read(self, repo):
        main = read(os.path.join(repo, "services/assistd/main.cc"))
        self.flags = set(re.findall(r"ABSL_FLAG\([^,]+,\s*(\w+)\s*,", main))
        block = re.search(r"kEnvFlags\s*=\s*\{(.*?)\};", main, re.S)
        self.env_flags = set(re.findall(r'"(\w+)"', block.group(1))) if block else set()
        self.env_vars = self._getenv_names(repo)
        names = read(os.path.join(repo, "services/common/service_names.cc"))
        body = re.search(r"ServiceIdName\(ServiceId id\)\s*\{(.*?)\n\}", names, re.S)
        pairs = re.findall(r"case ServiceId::(k\w+):\s*return \"(\w+)\"", body.group(1))
        ids = dict(pairs)
        self.services = set(ids.values())
        # --services may also name the REST gateway, which is no gRPC
        # service: main.cc accepts it and then needs --http_addr.
        self.front_ends = {"gateway"} if re.search(r'==\s*"gateway"', main) else set()
        # Health-checked gRPC service names of each service (GrpcServiceNames).
        body = re.search(r"GrpcServiceNames\(ServiceId id\)\s*\{(.*?)\n\}", names, re.S)
        for ident, listed in re.findall(r"case ServiceId::(k\w+):\s*return\s*\{([^}]*)\}",
                                        body.group(1) if body else ""):
            if ident in ids:
                self.grpc_names[ids[ident]] = set(re.findall(r'"([\w.]+)"', listed))
        for service in self.services:
            called = set()
            for path in glob.glob(os.path.join(repo, "services", service, "**", "*.*"),
                                  recursive=True):
                if not path.endswith((".cc", ".h")):
                    continue
                for ident in re.findall(r"ServiceId::(k\w+)", read(path)):
                    if ident in ids:
                        called.add(ids[ident])
            self.calls[service] = called - {service}

    @staticmethod
    def _getenv_names(repo):
        """ASSISTD_* names passed to getenv, directly (getenv("ASSISTD_X")) or
        through a constant (kName[] = "ASSISTD_X"; ... getenv(kName))."""
        found = set()
        for top in ("services", "common"):
            for path in glob.glob(os.path.join(repo, top, "**", "*.*"), recursive=True):
                if not path.endswith((".cc", ".h")):
                    continue
                text = read(path)
                found |= set(re.findall(r'getenv\(\s*"(ASSISTD_[A-Z0-9_]+)"', text))
                for const, name in re.findall(
                        r'\b(k\w+)(?:\[\])?\s*=\s*"(ASSISTD_[A-Z0-9_]+)"', text):
                    if re.search(r"getenv\(\s*" + const + r"\b", text):
                        found.add(name)
        return found


# --- label selectors -----------------------------------------------------------


def selector_matches(selector, labels):
    """A LabelSelector (matchLabels/matchExpressions) against a label map."""
    if selector is None:
        return False
    labels = labels or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def plain_selector_matches(selector, labels):
    """A Service's selector (a plain map)."""
    labels = labels or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# --- the validator ---------------------------------------------------------------


class Validator:
    def __init__(self, objects, source=None):
        self.objects = objects
        self.source = source or Source()
        self.problems = []
        self.workloads = [o for o in objects if o.get("kind") in WORKLOAD_KINDS]

    def problem(self, obj, message):
        self.problems.append(f"{ref(obj)}: {message}")

    def find(self, kind, namespace, name):
        for o in self.objects:
            meta = o.get("metadata") or {}
            if o.get("kind") == kind and meta.get("name") == name and \
                    meta.get("namespace") == namespace:
                return o
        return None

    @staticmethod
    def ns(obj):
        return (obj.get("metadata") or {}).get("namespace")

    @staticmethod
    def template(workload):
        spec = workload.get("spec") or {}
        if workload.get("kind") == "Job":
            return spec.get("template") or {}
        return spec.get("template") or {}

    def pods_in(self, namespace):
        """(workload, template) of every workload in a namespace."""
        return [(w, self.template(w)) for w in self.workloads if self.ns(w) == namespace]

    def run(self):
        for o in self.objects:
            self.check_required(o)
            self.check_string_maps(o, o.get("metadata") or {}, "metadata")
        for w in self.workloads:
            self.check_workload(w)
        for o in self.objects:
            kind = o.get("kind")
            if kind == "Service":
                self.check_service(o)
            elif kind == "PodDisruptionBudget":
                self.check_selects_pods(o, (o.get("spec") or {}).get("selector"), "selector")
            elif kind == "NetworkPolicy":
                self.check_selects_pods(o, (o.get("spec") or {}).get("podSelector"),
                                        "podSelector", empty_means_all=True)
            elif kind == "ServiceAccount":
                if o.get("automountServiceAccountToken") is not False:
                    self.problem(o, "automountServiceAccountToken must be false")
        self.check_assistd_processes()
        return self.problems

    # Required fields ------------------------------------------------------------

    def check_required(self, o):
        meta = o.get("metadata") or {}
        for field in ("apiVersion", "kind"):
            if not o.get(field):
                self.problem(o, f"missing {field}")
        if not meta.get("name"):
            self.problem(o, "missing metadata.name")
        kind = o.get("kind")
        if kind not in CLUSTER_SCOPED and not meta.get("namespace"):
            self.problem(o, "missing metadata.namespace (set `namespace:` in the overlay)")
        spec = o.get("spec") or {}
        if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
            if not (spec.get("selector") or {}).get("matchLabels") and \
                    not (spec.get("selector") or {}).get("matchExpressions"):
                self.problem(o, "missing spec.selector")
            if kind != "DaemonSet" and "replicas" not in spec:
                self.problem(o, "missing spec.replicas")
            if not ((spec.get("template") or {}).get("metadata") or {}).get("labels"):
                self.problem(o, "missing spec.template.metadata.labels")
        if kind == "StatefulSet":
            if not spec.get("serviceName"):
                self.problem(o, "missing spec.serviceName")
            for claim in spec.get("volumeClaimTemplates") or []:
                self.check_claim(o, claim.get("spec") or {},
                                 f"volumeClaimTemplates[{(claim.get('metadata') or {}).get('name')}]")
        if kind == "PersistentVolumeClaim":
            self.check_claim(o, spec, "spec")
        if kind == "Service":
            ports = spec.get("ports") or []
            if not ports:
                self.problem(o, "missing spec.ports")
            for p in ports:
                if "port" not in p:
                    self.problem(o, "a port has no `port`")
                if len(ports) > 1 and not p.get("name"):
                    self.problem(o, "ports of a multi-port Service need names")
        if kind == "PodDisruptionBudget":
            if ("minAvailable" in spec) == ("maxUnavailable" in spec):
                self.problem(o, "set exactly one of minAvailable and maxUnavailable")
            if not spec.get("selector"):
                self.problem(o, "missing spec.selector")
        if kind == "NetworkPolicy":
            if "podSelector" not in spec:
                self.problem(o, "missing spec.podSelector")
            if not spec.get("policyTypes"):
                self.problem(o, "missing spec.policyTypes (be explicit about Egress)")
        if kind in ("ConfigMap", "Secret") and not (o.get("data") or o.get("stringData")):
            self.problem(o, "no data")

    def check_claim(self, o, spec, where):
        if not spec.get("accessModes"):
            self.problem(o, f"{where}: missing accessModes")
        if not ((spec.get("resources") or {}).get("requests") or {}).get("storage"):
            self.problem(o, f"{where}: missing resources.requests.storage")

    # Workloads ------------------------------------------------------------------

    def check_workload(self, w):
        spec = w.get("spec") or {}
        template = self.template(w)
        labels = (template.get("metadata") or {}).get("labels") or {}
        annotations = (template.get("metadata") or {}).get("annotations") or {}
        if w.get("kind") != "Job" and spec.get("selector") and \
                not selector_matches(spec["selector"], labels):
            self.problem(w, "spec.selector does not match the pod template's labels")
        pod = template.get("spec") or {}
        if pod.get("automountServiceAccountToken") is not False:
            self.problem(w, "pod spec: automountServiceAccountToken must be false")
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            if pod.get(host):
                self.problem(w, f"pod spec: {host} is not allowed")
        sa = pod.get("serviceAccountName")
        if sa and sa != "default" and not self.find("ServiceAccount", self.ns(w), sa):
            self.problem(w, f"serviceAccountName {sa!r}: no such ServiceAccount")
        if w.get("kind") == "StatefulSet" and spec.get("serviceName"):
            svc = self.find("Service", self.ns(w), spec["serviceName"])
            if svc is None:
                self.problem(w, f"serviceName {spec['serviceName']!r}: no such Service")
            elif (svc.get("spec") or {}).get("clusterIP") != "None":
                self.problem(w, f"serviceName {spec['serviceName']!r} is not a headless Service")
        self.check_volumes(w, pod, spec)
        self.check_string_maps(w, template.get("metadata") or {}, "spec.template.metadata")
        self.check_scrape_annotations(w, annotations, pod)
        containers = pod.get("containers") or []
        if not containers:
            self.problem(w, "pod spec has no containers")
        for c in (pod.get("initContainers") or []) + containers:
            self.check_container(w, c, annotations, init=c not in containers)
        planned = annotations.get(PLANNED_FLAGS) or annotations.get(PLANNED_SERVICES)
        if planned and spec.get("replicas", 1) != 0:
            self.problem(w, f"{PLANNED_FLAGS}/{PLANNED_SERVICES} (flags or services assistd "
                            "does not have yet) are allowed only with replicas: 0")

    def check_string_maps(self, o, meta, where):
        for field in ("labels", "annotations"):
            for k, v in (meta.get(field) or {}).items():
                if not isinstance(v, str):
                    self.problem(o, f"{where}.{field}[{k}]: value {v!r} is not a string "
                                    "(quote it)")

    def check_scrape_annotations(self, w, annotations, pod):
        """prometheus.io/* on a pod template: the port is one the pod declares."""
        if str(annotations.get(SCRAPE, "")).lower() != "true":
            return
        path = str(annotations.get(SCRAPE_PATH, METRICS_PATH))
        if not path.startswith("/"):
            self.problem(w, f"annotation {SCRAPE_PATH}={path!r} does not start with '/'")
        port = annotations.get(SCRAPE_PORT)
        if port is None:
            self.problem(w, f"{SCRAPE}: \"true\" without {SCRAPE_PORT} (the scraper would "
                            "try every container port, the gRPC one included)")
            return
        numbers = [cp.get("containerPort") for c in pod.get("containers") or []
                   for cp in c.get("ports") or []]
        if not str(port).isdigit() or int(port) not in numbers:
            self.problem(w, f"annotation {SCRAPE_PORT}={port!r} is not a containerPort of the "
                            f"pod ({', '.join(str(n) for n in sorted(n for n in numbers if n)) or 'none'})")

    def check_volumes(self, w, pod, spec):
        names = {v.get("name") for v in pod.get("volumes") or []}
        names |= {(c.get("metadata") or {}).get("name")
                  for c in spec.get("volumeClaimTemplates") or []}
        for v in pod.get("volumes") or []:
            if "persistentVolumeClaim" in v:
                claim = v["persistentVolumeClaim"].get("claimName")
                if not self.find("PersistentVolumeClaim", self.ns(w), claim):
                    self.problem(w, f"volume {v.get('name')!r}: no PVC {claim!r}")
            for kind, key in (("ConfigMap", "configMap"), ("Secret", "secret")):
                if key in v and not v[key].get("optional"):
                    name = v[key].get("name") or v[key].get("secretName")
                    if not self.find(kind, self.ns(w), name):
                        self.problem(w, f"volume {v.get('name')!r}: no {kind} {name!r}")
        for c in (pod.get("initContainers") or []) + (pod.get("containers") or []):
            for m in c.get("volumeMounts") or []:
                if m.get("name") not in names:
                    self.problem(w, f"container {c.get('name')}: volumeMount "
                                    f"{m.get('name')!r} has no volume")

    def check_container(self, w, c, annotations, init):
        name = c.get("name") or "?"
        where = f"container {name}"
        if not c.get("name"):
            self.problem(w, "a container has no name")
        image = c.get("image")
        if not image:
            self.problem(w, f"{where}: no image")
        else:
            problem = image_problem(image)
            if problem:
                self.problem(w, f"{where}: image {image!r}: {problem}")
        res = c.get("resources") or {}
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if not (res.get(part) or {}).get(r):
                    self.problem(w, f"{where}: resources.{part}.{r} is not set")
        sc = c.get("securityContext") or {}
        adds = {a.upper() for a in ((sc.get("capabilities") or {}).get("add") or [])}
        escalated = []
        if sc.get("privileged"):
            escalated.append("privileged: true")
        if adds & {"SYS_ADMIN", "CAP_SYS_ADMIN", "ALL"}:
            escalated.append("CAP_SYS_ADMIN")
        if escalated and not str(annotations.get(PRIVILEGED_REASON, "")).strip():
            self.problem(w, f"{where}: {' and '.join(escalated)} without a documented reason "
                            f"(annotation {PRIVILEGED_REASON} on the pod template)")
        ports = c.get("ports") or []
        numbers = {p.get("containerPort") for p in ports}
        port_names = {p.get("name") for p in ports if p.get("name")}
        for p in ports:
            if not isinstance(p.get("containerPort"), int):
                self.problem(w, f"{where}: a port has no numeric containerPort")
        if not init and w.get("kind") != "Job":
            for probe in ("readinessProbe", "livenessProbe"):
                if not c.get(probe):
                    self.problem(w, f"{where}: no {probe}")
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            spec = c.get(probe)
            if not spec:
                continue
            if "grpc" in spec:
                port = spec["grpc"].get("port")
                if not isinstance(port, int):
                    self.problem(w, f"{where}: {probe}: a gRPC probe needs a numeric port")
                elif port not in numbers:
                    self.problem(w, f"{where}: {probe} port {port} is not a port of the container "
                                    f"({', '.join(str(n) for n in sorted(numbers)) or 'none'})")
            for handler in ("httpGet", "tcpSocket"):
                if handler in spec:
                    port = spec[handler].get("port")
                    if port not in numbers and port not in port_names:
                        self.problem(w, f"{where}: {probe} port {port!r} is not a port of the container")
        for src in c.get("envFrom") or []:
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                if key in src and not src[key].get("optional") and \
                        not self.find(kind, self.ns(w), src[key].get("name")):
                    self.problem(w, f"{where}: envFrom: no {kind} {src[key].get('name')!r}")
        for e in c.get("env") or []:
            vf = e.get("valueFrom") or {}
            for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                if key in vf and not vf[key].get("optional"):
                    obj = self.find(kind, self.ns(w), vf[key].get("name"))
                    if obj is None:
                        self.problem(w, f"{where}: env {e.get('name')}: no {kind} {vf[key].get('name')!r}")
                    elif vf[key].get("key") not in (obj.get("data") or {}) and \
                            vf[key].get("key") not in (obj.get("stringData") or {}):
                        self.problem(w, f"{where}: env {e.get('name')}: {kind} has no key "
                                        f"{vf[key].get('key')!r}")

    # Services, PDBs, NetworkPolicies --------------------------------------------

    def check_selects_pods(self, o, selector, field, empty_means_all=False):
        if selector is None:
            return
        if empty_means_all and not selector.get("matchLabels") and \
                not selector.get("matchExpressions"):
            if not self.pods_in(self.ns(o)):
                self.problem(o, f"{field} selects no pod of any workload in its namespace")
            return
        if not any(selector_matches(selector, (t.get("metadata") or {}).get("labels"))
                   for _, t in self.pods_in(self.ns(o))):
            self.problem(o, f"{field} selects no pod of any workload in its namespace")

    def check_service(self, svc):
        spec = svc.get("spec") or {}
        selector = spec.get("selector")
        if not selector:
            self.problem(svc, "Service without a selector")
            return
        selected = [(w, t) for w, t in self.pods_in(self.ns(svc))
                    if plain_selector_matches(selector, (t.get("metadata") or {}).get("labels"))]
        if not selected:
            self.problem(svc, "selector selects no pod of any workload in its namespace")
            return
        for p in spec.get("ports") or []:
            target = p.get("targetPort", p.get("port"))
            for w, t in selected:
                ports = [cp for c in (t.get("spec") or {}).get("containers") or []
                         for cp in c.get("ports") or []]
                if not any(cp.get("containerPort") == target or cp.get("name") == target
                           for cp in ports):
                    self.problem(svc, f"port {p.get('name') or p.get('port')}: targetPort "
                                      f"{target!r} is not a container port of {ref(w)}")

    # assistd processes: flags, wiring, the sandbox's egress ----------------------

    def effective_config(self, w, container):
        """Flag name -> value as the process sees it (args > env > envFrom)."""
        values = {}
        env_names = []
        for src in container.get("envFrom") or []:
            if "configMapRef" in src:
                cm = self.find("ConfigMap", self.ns(w), src["configMapRef"].get("name"))
                for k, v in ((cm or {}).get("data") or {}).items():
                    env_names.append(k)
                    if k.startswith("ASSISTD_"):
                        values[k[len("ASSISTD_"):].lower()] = str(v)
        for e in container.get("env") or []:
            env_names.append(e.get("name"))
            if e.get("name", "").startswith("ASSISTD_") and "value" in e:
                values[e["name"][len("ASSISTD_"):].lower()] = str(e["value"])
        flags = []
        args = list(container.get("command") or [])[1:] + list(container.get("args") or [])
        i = 0
        while i < len(args):
            a = str(args[i])
            m = re.match(r"^--?([A-Za-z0-9_]+)(?:=(.*))?$", a)
            if m:
                name, value = m.group(1), m.group(2)
                if value is None and i + 1 < len(args) and not str(args[i + 1]).startswith("-"):
                    value = str(args[i + 1])
                    i += 1
                flags.append(name)
                values[name] = value if value is not None else "true"
            i += 1
        return values, flags, env_names

    def check_assistd_processes(self):
        hosts = []  # (workload, container, hosted services, config)
        for w in self.workloads:
            template = self.template(w)
            annotations = (template.get("metadata") or {}).get("annotations") or {}
            planned_flags = split_list(annotations.get(PLANNED_FLAGS))
            planned_services = split_list(annotations.get(PLANNED_SERVICES))
            for c in (template.get("spec") or {}).get("containers") or []:
                values, flags, env_names = self.effective_config(w, c)
                where = f"container {c.get('name')}"
                src = self.source
                if src.flags is not None:
                    for f in flags:
                        if f not in src.flags and f not in ABSL_BUILTIN_FLAGS and \
                                f not in planned_flags:
                            self.problem(w, f"{where}: unknown flag --{f} (not in services/assistd/main.cc)")
                    for e in env_names:
                        if e and e.startswith("ASSISTD_"):
                            name = e[len("ASSISTD_"):].lower()
                            if name not in src.env_flags and name not in planned_flags and \
                                    e not in src.env_vars:
                                self.problem(w, f"{where}: {e} is not the environment fallback of "
                                                "any flag (kEnvFlags in services/assistd/main.cc)")
                known = (src.services or set()) | set(planned_services) | src.front_ends
                hosted = set()
                for s in split_list(values.get("services", "all")):
                    if s == "all":
                        hosted |= src.services or {"files", "retrieval", "sandbox", "orchestrator"}
                    elif src.services is not None and s not in known:
                        self.problem(w, f"{where}: --services: unknown service {s!r}")
                    else:
                        hosted.add(s)
                if "gateway" in hosted and not values.get("http_addr") and \
                        "http_addr" not in planned_flags:
                    self.problem(w, f"{where}: --services=gateway without --http_addr "
                                    "(assistd refuses to start)")
                hosts.append((w, c, hosted, values, set(planned_services)))
                if src.flags is not None:
                    self.check_metrics_addr(w, c, values)
                    self.check_auth(w, c, values)
            if self.source.flags is not None:
                self.check_scrape_target(w, template, annotations)
        self.check_internal_token(hosts)
        for w, c, hosted, values, planned in hosts:
            self.check_wiring(w, c, hosted, values, planned, hosts)
            self.check_health_names(w, c, hosted, planned)
            if hosted == {"sandbox"}:
                self.check_sandbox_egress(w)

    @staticmethod
    def split_addr(addr):
        """("host", port) of "host:port" / "[v6]:port"; None if it is not that."""
        m = re.match(r"^(\[[0-9A-Fa-f:.]*\]|[^:\[\]]*):(\d+)$", addr or "")
        return (m.group(1), int(m.group(2))) if m else None

    def check_metrics_addr(self, w, c, values):
        addr = values.get("metrics_addr", "")
        if not addr:
            return
        where = f"container {c.get('name')}"
        parsed = self.split_addr(addr)
        if parsed is None:
            self.problem(w, f"{where}: metrics_addr={addr!r} is not host:port")
            return
        numbers = {p.get("containerPort") for p in c.get("ports") or []}
        if parsed[1] == 0:
            self.problem(w, f"{where}: metrics_addr={addr}: port 0 picks a free port, which no "
                            "scraper can know")
        elif parsed[1] not in numbers:
            self.problem(w, f"{where}: metrics_addr={addr} port {parsed[1]} is not a port of the "
                            f"container ({', '.join(str(n) for n in sorted(n for n in numbers if n)) or 'none'})")
        grpc = self.split_addr(values.get("grpc_addr", "127.0.0.1:50051"))
        if grpc and grpc[1] == parsed[1] and parsed[1] != 0:
            self.problem(w, f"{where}: metrics_addr={addr} uses the gRPC port "
                            "(assistd cannot listen on both)")

    def check_auth(self, w, c, values):
        """--auth as services/auth/auth_mode.cc resolves it at startup."""
        mode = values.get("auth", "auto")
        where = f"container {c.get('name')}"
        if mode not in AUTH_MODES:
            self.problem(w, f"{where}: auth={mode!r} is not one of {', '.join(AUTH_MODES)}")
            return
        addr = values.get("grpc_addr", "127.0.0.1:50051")
        parsed = self.split_addr(addr)
        if mode == "none" and parsed and not parsed[0].startswith(LOOPBACK_HOSTS):
            self.problem(w, f"{where}: auth=none on grpc_addr={addr}, not a loopback address "
                            "(assistd refuses to start; use keys)")

    def internal_token_source(self, w, c):
        """Where a container's ASSISTD_INTERNAL_TOKEN comes from: (how, secret name,
        key, Secret object or None), or None if it has none. `env` wins over `envFrom`."""
        for e in reversed(c.get("env") or []):
            if e.get("name") != INTERNAL_TOKEN:
                continue
            ref_ = (e.get("valueFrom") or {}).get("secretKeyRef")
            if ref_:
                return ("secretKeyRef", ref_.get("name"), ref_.get("key"),
                        self.find("Secret", self.ns(w), ref_.get("name")))
            return ("value" if "value" in e else "other", None, None, None)
        for src in reversed(c.get("envFrom") or []):
            name = (src.get("secretRef") or {}).get("name")
            if not name:
                continue
            secret = self.find("Secret", self.ns(w), name)
            if secret is None or INTERNAL_TOKEN in (secret.get("data") or {}) or \
                    INTERNAL_TOKEN in (secret.get("stringData") or {}):
                # A Secret not in the rendering (made by hand) may have it: its
                # absence is reported by check_container.
                return ("envFrom", name, INTERNAL_TOKEN, secret)
        return None

    @staticmethod
    def secret_value(secret, key):
        if key in (secret.get("stringData") or {}):
            return str(secret["stringData"][key])
        raw = (secret.get("data") or {}).get(key)
        if raw is None:
            return None
        try:
            return base64.b64decode(str(raw)).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return None

    def check_internal_token(self, hosts):
        """A split deployment: each process trusts another's calls only when they
        carry its own ASSISTD_INTERNAL_TOKEN (services/common/auth_interceptor.cc)."""
        workloads = {id(h[0]) for h in hosts}
        if len(workloads) < 2:
            return  # one process: its services call each other in-process
        tokens = []  # (workload, container, value or None, (secret name, key))
        for w, c, _, _, _ in hosts:
            where = f"container {c.get('name')}"
            source = self.internal_token_source(w, c)
            if source is None:
                self.problem(w, f"{where}: no {INTERNAL_TOKEN} (one of {len(workloads)} assistd "
                                "workloads: the others' calls to it, and its calls to them, are "
                                "refused; give every one the same token from a Secret)")
                continue
            how, name, key, secret = source
            if how not in ("secretKeyRef", "envFrom"):
                self.problem(w, f"{where}: {INTERNAL_TOKEN} is not from a Secret (a literal "
                                "value is a credential in the manifest; use a secretKeyRef)")
                continue
            value = self.secret_value(secret, key) if secret is not None else None
            if value is not None and len(value) < INTERNAL_TOKEN_MIN:
                self.problem(w, f"{where}: {INTERNAL_TOKEN} from Secret {name} has "
                                f"{len(value)} characters; assistd refuses fewer than "
                                f"{INTERNAL_TOKEN_MIN}")
            tokens.append((w, c, value, (name, key)))
        known = [t for t in tokens if t[2] is not None]
        if known:
            # The value most of them share is "the" token; the others differ.
            values = [t[2] for t in known]
            common = max(set(values), key=values.count)
            first = next(t for t in known if t[2] == common)
            for w, c, value, (name, key) in known:
                if value != common:
                    self.problem(w, f"container {c.get('name')}: {INTERNAL_TOKEN} from Secret "
                                    f"{name} (key {key}) differs from the one of {ref(first[0])} "
                                    f"(Secret {first[3][0]}): their calls to each other are refused")
        unknown = [t for t in tokens if t[2] is None]
        refs = {t[3] for t in unknown}
        if len(refs) > 1:
            # Secrets made outside the rendering: at least the same name and key.
            for w, c, _, (name, key) in unknown:
                self.problem(w, f"container {c.get('name')}: {INTERNAL_TOKEN} from Secret "
                                f"{name} key {key}, but other assistd containers use "
                                f"{', '.join(f'{n}/{k}' for n, k in sorted(refs - {(name, key)}))}: "
                                "give them all the same token")

    def check_scrape_target(self, w, template, annotations):
        """The port prometheus.io/port names is an assistd container's metrics port."""
        if str(annotations.get(SCRAPE, "")).lower() != "true":
            return
        port = str(annotations.get(SCRAPE_PORT, ""))
        if not port.isdigit():
            return  # reported by check_scrape_annotations
        for c in (template.get("spec") or {}).get("containers") or []:
            if int(port) not in {p.get("containerPort") for p in c.get("ports") or []}:
                continue
            where = f"container {c.get('name')}"
            values, _, _ = self.effective_config(w, c)
            addr = values.get("metrics_addr", "")
            parsed = self.split_addr(addr)
            if not addr:
                self.problem(w, f"annotation {SCRAPE_PORT}={port}: {where} serves no metrics "
                                "(set ASSISTD_METRICS_ADDR or --metrics_addr)")
            elif parsed and parsed[1] != int(port):
                self.problem(w, f"annotation {SCRAPE_PORT}={port}: {where} serves metrics on "
                                f"{addr}, not on port {port}")
            elif parsed and parsed[0].startswith(LOOPBACK_HOSTS):
                self.problem(w, f"annotation {SCRAPE_PORT}={port}: {where} serves metrics on "
                                f"{addr}, a loopback address the scraper cannot reach")
            path = str(annotations.get(SCRAPE_PATH, METRICS_PATH))
            if addr and path != METRICS_PATH:
                self.problem(w, f"annotation {SCRAPE_PATH}={path!r}: assistd serves "
                                f"{METRICS_PATH} only")

    def check_wiring(self, w, c, hosted, values, planned, hosts):
        where = f"container {c.get('name')}"
        all_services = self.source.services or {"files", "retrieval", "sandbox", "orchestrator"}
        for s in sorted(all_services):
            addr = values.get(f"{s}_addr", "")
            if not addr:
                continue
            if s in hosted:
                self.problem(w, f"{where}: --{s}_addr is set but {s} is also hosted here "
                                "(assistd refuses to start)")
                continue
            m = re.match(r"^([A-Za-z0-9.-]+):(\d+)$", addr)
            if not m:
                self.problem(w, f"{where}: --{s}_addr={addr!r} is not host:port")
                continue
            host, port = m.group(1), int(m.group(2))
            parts = host.split(".")
            ns = parts[1] if len(parts) >= 2 else self.ns(w)
            if len(parts) >= 3 and parts[2] != "svc":
                continue  # not a Service name (an outside address): not checked
            svc = self.find("Service", ns, parts[0])
            if svc is None:
                self.problem(w, f"{where}: --{s}_addr={addr}: no Service {parts[0]!r} in "
                                f"namespace {ns!r}")
                continue
            if port not in [p.get("port") for p in (svc.get("spec") or {}).get("ports") or []]:
                self.problem(w, f"{where}: --{s}_addr={addr}: Service {parts[0]} has no port {port}")
            selector = (svc.get("spec") or {}).get("selector")
            serving = [h for h in hosts if self.ns(h[0]) == ns and s in h[2] and
                       plain_selector_matches(selector, ((self.template(h[0]).get("metadata") or {})
                                                         .get("labels")))]
            if not serving:
                self.problem(w, f"{where}: --{s}_addr={addr}: Service {parts[0]} selects no "
                                f"pod that hosts {s}")
        for s in sorted(hosted - planned):
            for needed in sorted(self.source.calls.get(s, set())):
                if needed not in hosted and not values.get(f"{needed}_addr"):
                    self.problem(w, f"{where}: hosts {s}, which calls {needed}, but {needed} is "
                                    f"not hosted here and --{needed}_addr is not set")

    def check_health_names(self, w, c, hosted, planned):
        """A probe naming a gRPC service must name one this process hosts (an
        unknown name answers NOT_FOUND: the probe would never pass)."""
        if not self.source.grpc_names or planned:
            return
        names = set().union(*(self.source.grpc_names.get(s, set()) for s in hosted))
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            service = ((c.get(probe) or {}).get("grpc") or {}).get("service")
            if service and service not in names:
                self.problem(w, f"container {c.get('name')}: {probe} checks {service!r}, which "
                                f"this process does not host ({', '.join(sorted(hosted))})")

    def check_sandbox_egress(self, w):
        labels = (self.template(w).get("metadata") or {}).get("labels") or {}
        policies = [p for p in self.objects if p.get("kind") == "NetworkPolicy" and
                    self.ns(p) == self.ns(w) and
                    selector_matches((p.get("spec") or {}).get("podSelector") or {}, labels)]
        denying = [p for p in policies if "Egress" in ((p.get("spec") or {}).get("policyTypes") or [])]
        if not denying:
            self.problem(w, "hosts only the sandbox but no NetworkPolicy with policyTypes "
                            "[Egress] selects its pods: egress is not denied")
        for p in denying:
            if (p.get("spec") or {}).get("egress"):
                self.problem(w, f"hosts only the sandbox but {ref(p)} allows egress "
                                "(its egress rules must be empty)")


def split_list(value):
    return [s.strip() for s in str(value or "").split(",") if s.strip()]


def image_problem(image):
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "no tag (pin a version or a digest)"
    tag = last.rsplit(":", 1)[1]
    if tag == "latest":
        return "`latest` is not a pinned version"
    return None


def validate(objects, repo=None):
    return Validator(objects, Source(repo)).run()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", help="the assistd source tree (enables the flag and wiring checks)")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    texts = [read(f) for f in args.files] if args.files else [sys.stdin.read()]
    problems = validate(load(texts), args.repo)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
