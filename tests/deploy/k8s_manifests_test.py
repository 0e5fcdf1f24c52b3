#!/usr/bin/env python3
"""Deployment checks: the Kubernetes overlays render and validate, the validator
catches broken manifests, and the container image stays honest (it installs and
builds with the scripts `make` uses, and its runtime packages cover the binaries).

  k8s_manifests_test.py --repo DIR [--bin-dir DIR] [unittest options]

Without kubectl the rendering tests are skipped; if everything else passes the
script then exits 77 (CTest's SKIP_RETURN_CODE) saying so.
"""

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validate_k8s  # noqa: E402

ARGS = None
KUBECTL = shutil.which("kubectl")


def read(path):
    with open(path) as f:
        return f.read()


def render(path):
    out = subprocess.run([KUBECTL, "kustomize", path], capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(f"kubectl kustomize {path} failed:\n{out.stderr}")
    return validate_k8s.load([out.stdout])


def overlay(name):
    return os.path.join(ARGS.repo, "deploy", "k8s", "overlays", name)


def objects_of(objects, kind, name=None, namespace=None):
    return [o for o in objects if o.get("kind") == kind and
            (name is None or o["metadata"]["name"] == name) and
            (namespace is None or o["metadata"].get("namespace") == namespace)]


def container(objects, kind, name):
    (w,) = objects_of(objects, kind, name)
    return w, w["spec"]["template"]["spec"]["containers"][0]


@unittest.skipIf(KUBECTL is None, "kubectl is not installed: overlays not rendered")
class OverlayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.single = render(overlay("single-node"))
        cls.split = render(overlay("split"))
        cls.source = validate_k8s.Source(ARGS.repo)

    def problems(self, objects):
        return validate_k8s.Validator(objects, self.source).run()

    def assertValid(self, objects):
        problems = self.problems(objects)
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def assertReported(self, objects, *fragments):
        problems = self.problems(objects)
        text = "\n".join(problems)
        for fragment in fragments:
            self.assertIn(fragment, text, f"expected a problem about {fragment!r}; got:\n{text}")

    # The overlays as shipped --------------------------------------------------

    def test_single_node_is_valid(self):
        self.assertValid(self.single)

    def test_single_node_runs_everything_in_one_statefulset(self):
        (sts,) = objects_of(self.single, "StatefulSet")
        self.assertEqual(sts["spec"]["replicas"], 1)
        c = sts["spec"]["template"]["spec"]["containers"][0]
        self.assertIn("--services=all", c["args"])
        self.assertIn("--data_dir=/var/lib/assistd", c["args"])
        (claim,) = sts["spec"]["volumeClaimTemplates"]
        self.assertTrue(any(m["name"] == claim["metadata"]["name"] and
                            m["mountPath"] == "/var/lib/assistd" for m in c["volumeMounts"]))
        ports = {p["name"]: p["port"] for s in objects_of(self.single, "Service")
                 for p in s["spec"]["ports"]}
        self.assertEqual(ports.get("grpc"), 50051)
        self.assertIn("http", ports)
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            self.assertEqual(c[probe]["grpc"]["port"], 50051)
        configs = objects_of(self.single, "ConfigMap")
        self.assertTrue(any("ASSISTD_MODEL_ENDPOINTS" in cm["data"] for cm in configs))
        self.assertEqual(len(objects_of(self.single, "Secret")), 1)
        self.assertEqual(len(objects_of(self.single, "PodDisruptionBudget")), 1)

    def test_auth_is_keys_explicitly(self):
        # The pods bind 0.0.0.0: API keys, said in the config rather than left to `auto`.
        for objects in (self.single, self.split):
            for w in objects_of(objects, "StatefulSet") + objects_of(objects, "Deployment"):
                for c in w["spec"]["template"]["spec"]["containers"]:
                    (cm,) = [objects_of(objects, "ConfigMap", e["configMapRef"]["name"],
                                        w["metadata"]["namespace"])[0]
                             for e in c["envFrom"] if "configMapRef" in e]
                    self.assertEqual(cm["data"].get("ASSISTD_AUTH"), "keys",
                                     w["metadata"]["name"])

    def test_split_is_valid(self):
        self.assertValid(self.split)

    def test_split_has_one_workload_per_service(self):
        kinds = {(o["kind"], o["metadata"]["name"]) for o in self.split
                 if o["kind"] in ("Deployment", "StatefulSet")}
        self.assertEqual(kinds, {
            ("Deployment", "assistd-gateway"), ("Deployment", "assistd-orchestrator"),
            ("StatefulSet", "assistd-files"), ("StatefulSet", "assistd-retrieval"),
            ("Deployment", "assistd-sandbox")})
        for name, services in (("assistd-files", "files"), ("assistd-retrieval", "retrieval"),
                               ("assistd-orchestrator", "orchestrator"),
                               ("assistd-sandbox", "sandbox")):
            kind = "StatefulSet" if name in ("assistd-files", "assistd-retrieval") else "Deployment"
            _, c = container(self.split, kind, name)
            self.assertIn(f"--services={services}", c["args"])

    def test_split_sandbox_is_isolated(self):
        w, c = container(self.split, "Deployment", "assistd-sandbox")
        pod = w["spec"]["template"]["spec"]
        self.assertEqual(pod["nodeSelector"], {"assistd.dev/pool": "sandbox"})
        self.assertTrue(any(t["key"] == "assistd.dev/pool" and t["effect"] == "NoSchedule"
                            for t in pod["tolerations"]))
        self.assertNotIn("runtimeClassName", pod)  # optional, off by default
        # No model keys or endpoints in the pod that runs a model's code: its one
        # Secret is the internal token the orchestrator's calls carry.
        self.assertFalse(any("secretRef" in e for e in c.get("envFrom", [])))
        secrets = {e["valueFrom"]["secretKeyRef"]["name"] for e in c.get("env", [])
                   if "secretKeyRef" in e.get("valueFrom", {})}
        (token,) = objects_of(self.split, "Secret", namespace=w["metadata"]["namespace"])
        self.assertEqual(secrets, {token["metadata"]["name"]})
        self.assertEqual(list(token["data"]), ["ASSISTD_INTERNAL_TOKEN"])
        (policy,) = objects_of(self.split, "NetworkPolicy", namespace=w["metadata"]["namespace"])
        self.assertIn("Egress", policy["spec"]["policyTypes"])
        self.assertFalse(policy["spec"].get("egress"))
        # The only privileged pods are the ones that host the sandbox.
        for o in self.split:
            if o["kind"] in ("Deployment", "StatefulSet") and o is not w:
                for ct in o["spec"]["template"]["spec"]["containers"]:
                    self.assertFalse((ct.get("securityContext") or {}).get("privileged"))
                    self.assertEqual(ct["securityContext"]["capabilities"]["drop"], ["ALL"])

    def test_split_shares_one_internal_token(self):
        """Every process of the split overlay gets the same ASSISTD_INTERNAL_TOKEN, from
        a Secret generated in each namespace from one file."""
        values = set()
        workloads = objects_of(self.split, "StatefulSet") + objects_of(self.split, "Deployment")
        self.assertEqual(len(workloads), 5)
        for w in workloads:
            for c in w["spec"]["template"]["spec"]["containers"]:
                (e,) = [e for e in c["env"] if e["name"] == "ASSISTD_INTERNAL_TOKEN"]
                ref = e["valueFrom"]["secretKeyRef"]
                (secret,) = objects_of(self.split, "Secret", ref["name"],
                                       w["metadata"]["namespace"])
                values.add(secret["data"][ref["key"]])
        self.assertEqual(len(values), 1)
        self.assertGreaterEqual(len(validate_k8s.base64.b64decode(values.pop())), 32)
        self.assertEqual({s["metadata"]["namespace"] for s in objects_of(self.split, "Secret")
                          if s["metadata"]["name"].startswith("assistd-internal-token")},
                         {"assistd", "assistd-sandbox"})

    def test_every_assistd_container_serves_metrics(self):
        for objects in (self.single, self.split):
            workloads = [o for o in objects if o["kind"] in ("Deployment", "StatefulSet")]
            self.assertTrue(workloads)
            for w in workloads:
                template = w["spec"]["template"]
                name = w["metadata"]["name"]
                annotations = template["metadata"].get("annotations") or {}
                self.assertEqual(annotations.get("prometheus.io/scrape"), "true", name)
                self.assertEqual(annotations.get("prometheus.io/port"), "9464", name)
                self.assertEqual(annotations.get("prometheus.io/path"), "/metrics", name)
                for c in template["spec"]["containers"]:
                    env = {e["name"]: e.get("value") for e in c.get("env") or []}
                    self.assertEqual(env.get("ASSISTD_METRICS_ADDR"), "0.0.0.0:9464", name)
                    ports = {p.get("name"): p["containerPort"] for p in c["ports"]}
                    self.assertEqual(ports.get("metrics"), 9464, name)

    def test_split_sandbox_admits_only_the_scraper_on_the_metrics_port(self):
        (policy,) = objects_of(self.split, "NetworkPolicy", "assistd-sandbox")
        by_port = {}
        for rule in policy["spec"]["ingress"]:
            for port in rule["ports"]:
                by_port.setdefault(port["port"], []).extend(rule["from"])
        self.assertEqual(sorted(by_port), [9464, 50051])
        # The metrics port is open to the monitoring namespace, not to every pod.
        for peer in by_port[9464]:
            self.assertTrue(peer.get("namespaceSelector", {}).get("matchLabels"), peer)

    def test_split_with_runtime_class_component(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "kustomization.yaml"), "w") as f:
                f.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                        f"resources:\n  - {os.path.relpath(overlay('split'), tmp)}\n"
                        "components:\n  - " + os.path.relpath(
                            os.path.join(ARGS.repo, "deploy/k8s/components/sandbox-runtimeclass"),
                            tmp) + "\n")
            objects = render(tmp)
        self.assertValid(objects)
        w, _ = container(objects, "Deployment", "assistd-sandbox")
        self.assertTrue(w["spec"]["template"]["spec"]["runtimeClassName"])

    # The validator catches what it should ---------------------------------------

    def mutated(self, objects, kind, name, change):
        objects = copy.deepcopy(objects)
        (o,) = objects_of(objects, kind, name)
        change(o)
        return objects

    def test_reports_probe_port_mismatch(self):
        def change(w):
            w["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["grpc"]["port"] = 50052
        self.assertReported(self.mutated(self.single, "StatefulSet", "assistd", change),
                            "readinessProbe port 50052 is not a port of the container")

    def test_reports_unpinned_images(self):
        for image, message in (("registry.example.com/assistd/assistd:latest", "latest"),
                               ("registry.example.com:5000/assistd/assistd", "no tag")):
            def change(w, image=image):
                w["spec"]["template"]["spec"]["containers"][0]["image"] = image
            self.assertReported(self.mutated(self.split, "StatefulSet", "assistd-files", change),
                                message)

    def test_accepts_digest_pinned_image(self):
        def change(w):
            w["spec"]["template"]["spec"]["containers"][0]["image"] = \
                "registry.example.com/assistd/assistd@sha256:" + "a" * 64
        self.assertValid(self.mutated(self.split, "StatefulSet", "assistd-files", change))

    def test_reports_selector_mismatches(self):
        def template_labels(w):
            w["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] = "other"
        self.assertReported(self.mutated(self.split, "StatefulSet", "assistd-files", template_labels),
                            "spec.selector does not match the pod template's labels",
                            "Service/assistd/assistd-files: selector selects no pod")

        def service(s):
            s["spec"]["selector"]["app.kubernetes.io/component"] = "filez"
        self.assertReported(self.mutated(self.split, "Service", "assistd-files", service),
                            "selects no pod")

        def pdb(p):
            p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] = "filez"
        self.assertReported(self.mutated(self.split, "PodDisruptionBudget", "assistd-files", pdb),
                            "PodDisruptionBudget/assistd/assistd-files: selector selects no pod")

    def test_reports_service_target_port_mismatch(self):
        def change(s):
            s["spec"]["ports"][0]["targetPort"] = "grcp"
        self.assertReported(self.mutated(self.split, "Service", "assistd-files", change),
                            "targetPort 'grcp' is not a container port")

    def test_reports_privileged_without_reason(self):
        def change(w):
            del w["spec"]["template"]["metadata"]["annotations"][validate_k8s.PRIVILEGED_REASON]
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-sandbox", change),
                            "privileged: true without a documented reason")

        def sys_admin(w):
            c = w["spec"]["template"]["spec"]["containers"][0]
            c["securityContext"]["capabilities"]["add"] = ["SYS_ADMIN"]
        self.assertReported(self.mutated(self.split, "StatefulSet", "assistd-files", sys_admin),
                            "CAP_SYS_ADMIN without a documented reason")

    def test_reports_service_account_token(self):
        def change(w):
            w["spec"]["template"]["spec"]["automountServiceAccountToken"] = True
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-orchestrator", change),
                            "automountServiceAccountToken must be false")

    def test_reports_missing_resources(self):
        def change(w):
            del w["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"]
        self.assertReported(self.mutated(self.single, "StatefulSet", "assistd", change),
                            "resources.limits.memory is not set")

    def test_reports_missing_required_fields(self):
        def change(w):
            del w["spec"]["serviceName"]
            del w["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
        self.assertReported(self.mutated(self.single, "StatefulSet", "assistd", change),
                            "missing spec.serviceName", "no livenessProbe")

    def test_reports_sandbox_egress(self):
        def allow(p):
            p["spec"]["egress"] = [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]
        self.assertReported(self.mutated(self.split, "NetworkPolicy", "assistd-sandbox", allow),
                            "allows egress")

        def ingress_only(p):
            p["spec"]["policyTypes"] = ["Ingress"]
        self.assertReported(self.mutated(self.split, "NetworkPolicy", "assistd-sandbox", ingress_only),
                            "egress is not denied")
        without = [o for o in self.split if o["kind"] != "NetworkPolicy"]
        self.assertReported(without, "egress is not denied")

    def test_reports_unknown_flags_and_variables(self):
        def change(w):
            c = w["spec"]["template"]["spec"]["containers"][0]
            c["args"].append("--retrieval_adr=assistd-retrieval:50051")
            c.setdefault("env", []).append({"name": "ASSISTD_NO_SUCH_FLAG", "value": "1"})
        # ASSISTD_INTERNAL_TOKEN is no flag's fallback, but the code reads it (getenv).
        self.assertIn("ASSISTD_INTERNAL_TOKEN", self.source.env_vars)
        self.assertReported(self.mutated(self.split, "StatefulSet", "assistd-files", change),
                            "unknown flag --retrieval_adr", "ASSISTD_NO_SUCH_FLAG")

    def test_reports_wiring_mistakes(self):
        def wrong_service(w):
            args = w["spec"]["template"]["spec"]["containers"][0]["args"]
            args[args.index("--files_addr=assistd-files:50051")] = "--files_addr=assistd-retrieval:50051"
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-orchestrator", wrong_service),
                            "Service assistd-retrieval selects no pod that hosts files")

        def missing(w):
            args = w["spec"]["template"]["spec"]["containers"][0]["args"]
            args.remove("--files_addr=assistd-files:50051")
        self.assertReported(self.mutated(self.split, "StatefulSet", "assistd-retrieval", missing),
                            "hosts retrieval, which calls files, but files is not hosted here")

        def no_such_service(w):
            args = w["spec"]["template"]["spec"]["containers"][0]["args"]
            args[args.index("--sandbox_addr=assistd-sandbox.assistd-sandbox.svc:50051")] = \
                "--sandbox_addr=assistd-sandbox:50051"
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-orchestrator", no_such_service),
                            "no Service 'assistd-sandbox' in namespace 'assistd'")

        def both(w):
            w["spec"]["template"]["spec"]["containers"][0]["args"].append(
                "--files_addr=assistd-files:50051")
        self.assertReported(self.mutated(self.split, "StatefulSet", "assistd-files", both),
                            "--files_addr is set but files is also hosted here")

    def test_reports_probe_on_a_service_not_hosted(self):
        def change(w):
            c = w["spec"]["template"]["spec"]["containers"][0]
            c["readinessProbe"]["grpc"]["service"] = "assistd.v1.FileService"
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-orchestrator", change),
                            "readinessProbe checks 'assistd.v1.FileService', which this process "
                            "does not host")

    def test_reports_metrics_mistakes(self):
        def container0(w):
            return w["spec"]["template"]["spec"]["containers"][0]

        def annotate(key, value):
            def change(w):
                w["spec"]["template"]["metadata"]["annotations"][key] = value
            return change

        def sts(change):
            return self.mutated(self.single, "StatefulSet", "assistd", change)

        self.assertReported(sts(annotate("prometheus.io/port", "9465")),
                            "annotation prometheus.io/port='9465' is not a containerPort of the pod")
        self.assertReported(sts(annotate("prometheus.io/port", "50051")),
                            "prometheus.io/port=50051: container assistd serves metrics on "
                            "0.0.0.0:9464, not on port 50051")
        self.assertReported(sts(annotate("prometheus.io/port", 9464)),
                            "annotations[prometheus.io/port]: value 9464 is not a string")
        self.assertReported(sts(annotate("prometheus.io/path", "/metricz")),
                            "assistd serves /metrics only")
        self.assertReported(sts(annotate("prometheus.io/path", "metrics")),
                            "does not start with '/'")

        def no_port_annotation(w):
            del w["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"]
        self.assertReported(sts(no_port_annotation), "without prometheus.io/port")

        def no_metrics_port(w):
            c = container0(w)
            c["ports"] = [p for p in c["ports"] if p.get("name") != "metrics"]
        self.assertReported(sts(no_metrics_port),
                            "metrics_addr=0.0.0.0:9464 port 9464 is not a port of the container",
                            "prometheus.io/port='9464' is not a containerPort of the pod")

        def no_metrics_addr(w):
            c = container0(w)
            c["env"] = [e for e in c["env"] if e["name"] != "ASSISTD_METRICS_ADDR"]
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-sandbox", no_metrics_addr),
                            "prometheus.io/port=9464: container assistd serves no metrics")

        def loopback(w):  # a flag wins over the environment
            container0(w)["args"].append("--metrics_addr=127.0.0.1:9464")
        self.assertReported(self.mutated(self.split, "StatefulSet", "assistd-files", loopback),
                            "serves metrics on 127.0.0.1:9464, a loopback address")

        def on_grpc_port(w):
            container0(w)["args"].append("--metrics_addr=0.0.0.0:50051")
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-orchestrator", on_grpc_port),
                            "metrics_addr=0.0.0.0:50051 uses the gRPC port",
                            "serves metrics on 0.0.0.0:50051, not on port 9464")

        def random_port(w):
            container0(w)["args"].append("--metrics_addr=0.0.0.0:0")
        self.assertReported(self.mutated(self.split, "StatefulSet", "assistd-retrieval", random_port),
                            "port 0 picks a free port")

    def test_reports_internal_token_mistakes(self):
        def env_of(w):
            return w["spec"]["template"]["spec"]["containers"][0]["env"]

        def without(w):
            env = env_of(w)
            env[:] = [e for e in env if e["name"] != "ASSISTD_INTERNAL_TOKEN"]
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-sandbox", without),
                            "Deployment/assistd-sandbox/assistd-sandbox: container assistd: "
                            "no ASSISTD_INTERNAL_TOKEN")
        self.assertReported(self.mutated(self.split, "StatefulSet", "assistd-files", without),
                            "StatefulSet/assistd/assistd-files: container assistd: "
                            "no ASSISTD_INTERNAL_TOKEN")

        def literal(w):
            without(w)
            env_of(w).append({"name": "ASSISTD_INTERNAL_TOKEN", "value": "x" * 40})
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-orchestrator", literal),
                            "ASSISTD_INTERNAL_TOKEN is not from a Secret")

        def other_value(s):
            s["data"]["ASSISTD_INTERNAL_TOKEN"] = validate_k8s.base64.b64encode(
                b"another-token-of-forty-characters-000000").decode()
        objects = copy.deepcopy(self.split)
        (secret,) = [s for s in objects_of(objects, "Secret", namespace="assistd-sandbox")]
        other_value(secret)
        self.assertReported(objects, "Deployment/assistd-sandbox/assistd-sandbox: container "
                            "assistd: ASSISTD_INTERNAL_TOKEN from Secret", "differs from the one of")

        objects = copy.deepcopy(self.split)
        for s in objects_of(objects, "Secret"):
            if "ASSISTD_INTERNAL_TOKEN" in s["data"]:
                s["data"]["ASSISTD_INTERNAL_TOKEN"] = validate_k8s.base64.b64encode(b"short").decode()
        self.assertReported(objects, "has 5 characters; assistd refuses fewer than 32")

        # One process needs no token: its services call each other in-process.
        self.assertFalse(any("ASSISTD_INTERNAL_TOKEN" in e["name"]
                             for w in objects_of(self.single, "StatefulSet")
                             for e in w["spec"]["template"]["spec"]["containers"][0]["env"]))

    def test_reports_auth_mistakes(self):
        def auth(value):
            def change(cm):
                cm["data"]["ASSISTD_AUTH"] = value
            return change
        (cm,) = objects_of(self.single, "ConfigMap")
        name = cm["metadata"]["name"]
        self.assertReported(self.mutated(self.single, "ConfigMap", name, auth("none")),
                            "auth=none on grpc_addr=0.0.0.0:50051, not a loopback address")
        self.assertReported(self.mutated(self.single, "ConfigMap", name, auth("off")),
                            "auth='off' is not one of keys, none, auto")

        def loopback(w):
            c = w["spec"]["template"]["spec"]["containers"][0]
            c["args"] = [a for a in c["args"] if not a.startswith("--grpc_addr")] + \
                ["--grpc_addr=127.0.0.1:50051"]
        objects = self.mutated(self.mutated(self.single, "ConfigMap", name, auth("none")),
                               "StatefulSet", "assistd", loopback)
        self.assertNotIn("auth=none", "\n".join(self.problems(objects)))

    def test_reports_planned_workload_with_replicas(self):
        def change(w):
            w["spec"]["template"]["metadata"]["annotations"]["assistd.dev/planned-flags"] = "x"
            w["spec"]["replicas"] = 2
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-gateway", change),
                            "allowed only with replicas: 0")

    def test_reports_gateway_without_http_addr(self):
        def change(w):
            c = w["spec"]["template"]["spec"]["containers"][0]
            c["args"] = [a for a in c["args"] if not a.startswith("--http_addr")]
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-gateway", change),
                            "--services=gateway without --http_addr")

    def test_reports_dangling_references(self):
        def change(w):
            w["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"] = "nope"
        self.assertReported(self.mutated(self.split, "Deployment", "assistd-orchestrator", change),
                            "envFrom: no ConfigMap 'nope'")

    def test_command_line_reports_a_broken_overlay(self):
        """End to end: an overlay that breaks the probe port, rendered by kubectl and
        fed to the validator's command line, fails with the problem named."""
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "kustomization.yaml"), "w") as f:
                f.write(f"""apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - {os.path.relpath(overlay('single-node'), tmp)}
patches:
  - target:
      kind: StatefulSet
      name: assistd
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/livenessProbe/grpc/port
        value: 50099
""")
            rendered = subprocess.run([KUBECTL, "kustomize", tmp], capture_output=True,
                                      text=True, check=True).stdout
        validator = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate_k8s.py")
        out = subprocess.run([sys.executable, validator, "--repo", ARGS.repo],
                             input=rendered, capture_output=True, text=True)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("StatefulSet/assistd/assistd: container assistd: livenessProbe port 50099 "
                      "is not a port of the container", out.stdout)
        good = subprocess.run([sys.executable, validator, "--repo", ARGS.repo],
                              input=subprocess.run([KUBECTL, "kustomize", overlay("single-node")],
                                                   capture_output=True, text=True).stdout,
                              capture_output=True, text=True)
        self.assertEqual(good.returncode, 0, good.stdout)


class ImageTest(unittest.TestCase):
    """The container image cannot be built here (no container engine): check
    instead that it runs the same scripts `make` does, with package groups that
    exist and cover what the binaries link."""

    def deps(self, *groups):
        out = subprocess.run(["bash", os.path.join(ARGS.repo, "scripts/deps.sh"), "list", *groups],
                             capture_output=True, text=True, check=True)
        return out.stdout.split()

    def test_dockerfile_builds_with_the_shared_scripts(self):
        text = read(os.path.join(ARGS.repo, "deploy/docker/Dockerfile"))
        stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M)
        self.assertEqual([s[1] for s in stages], ["build", "runtime"])
        self.assertIn("ARG DEBIAN_IMAGE=debian:bookworm-slim", text)
        self.assertTrue(all(s[0] == "${DEBIAN_IMAGE}" for s in stages))
        build, runtime = re.split(r"^FROM .* AS runtime$", text, flags=re.M)
        self.assertRegex(build, r"RUN bash /src/scripts/deps.sh install build\b")
        self.assertRegex(build, r"RUN bash /src/scripts/build-dist.sh /build /dist")
        self.assertRegex(runtime, r"RUN bash /tmp/deps.sh install --no-toolchain runtime\b")
        self.assertNotRegex(text, r"apt-get install", "packages come from scripts/deps.sh only")
        self.assertEqual(re.findall(r"COPY --from=(\S+) (\S+)", runtime), [("build", "/dist/")])
        self.assertRegex(runtime, r"(?m)^USER 10001")
        # Every source folder CMake needs is copied into the build stage.
        cmake = read(os.path.join(ARGS.repo, "CMakeLists.txt"))
        for folder in re.findall(r"add_subdirectory\((\w+)\)", cmake) + ["cmake"]:
            self.assertRegex(build, rf"(?m)^COPY {folder} /src/{folder}$")
        for script in ("deps.sh", "build-dist.sh", "assistd-backup.py", "image-smoke-test.sh"):
            self.assertTrue(os.access(os.path.join(ARGS.repo, "scripts", script), os.X_OK), script)

    def test_make_installs_with_the_shared_script(self):
        makefile = read(os.path.join(ARGS.repo, "Makefile"))
        self.assertRegex(makefile, r"(?m)^deps:\n\t@bash scripts/deps.sh install dev$")
        dev = set(self.deps("dev"))
        self.assertEqual(dev, set(self.deps("build", "runtime", "test")))
        self.assertIn("python3-yaml", self.deps("test"))

    def test_runtime_packages_cover_the_binaries(self):
        if not ARGS.bin_dir or not shutil.which("dpkg-query") or not shutil.which("ldd"):
            self.skipTest("no --bin-dir or no dpkg/ldd")
        binaries = [os.path.join(ARGS.bin_dir, b) for b in
                    ("assistd", "assistctl", "assistd-extract-worker", "assistd-sandbox-zygote")]
        binaries = [b for b in binaries if os.path.exists(b)]
        if not binaries:
            self.skipTest(f"no binaries in {ARGS.bin_dir}")
        libs = set()
        for b in binaries:
            out = subprocess.run(["ldd", b], capture_output=True, text=True, check=True).stdout
            libs |= set(re.findall(r"=>\s+(/\S+)", out))
        candidates = {}
        for lib in sorted(libs):
            paths = {lib, os.path.realpath(lib)}
            for c in list(paths):
                paths.add(c[4:] if c.startswith("/usr/") else "/usr" + c)
            for path in paths:
                candidates[path] = lib
        # One dpkg call: "package[:arch]: /path" per owned path.
        out = subprocess.run(["dpkg-query", "-S", *sorted(candidates)],
                             capture_output=True, text=True).stdout
        owners = {lib: set() for lib in libs}
        for line in out.splitlines():
            pkg, _, path = line.partition(": ")
            if path in candidates:
                owners[candidates[path]].add(pkg.split(":")[0])
        closure = dependency_closure(self.deps("runtime"))
        uncovered = {lib: sorted(p) for lib, p in owners.items() if not (p & closure)}
        self.assertEqual(uncovered, {}, "libraries whose package the runtime group does not pull in")


def dependency_closure(packages):
    """Installed packages reachable from `packages` through Depends/Pre-Depends
    (every alternative of an `a | b` counts; virtual names through Provides)."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\n"],
                         capture_output=True, text=True, check=True).stdout
    depends, providers = {}, {}
    for line in out.splitlines():
        name, deps, provides = (line.split("\t") + ["", ""])[:3]
        depends[name] = [d.strip().split(" ")[0].split(":")[0] for d in re.split(r"[,|]", deps)]
        for virtual in provides.split(","):
            providers.setdefault(virtual.strip().split(" ")[0], []).append(name)
    seen = set()
    todo = list(packages)
    while todo:
        pkg = todo.pop()
        if not pkg or pkg in seen:
            continue
        seen.add(pkg)
        todo.extend(depends.get(pkg, []))
        todo.extend(providers.get(pkg, []))
    return seen


def main():
    global ARGS
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--repo", default=os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
    parser.add_argument("--bin-dir")
    ARGS, rest = parser.parse_known_args()
    ARGS.repo = os.path.abspath(ARGS.repo)
    result = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    if not result.wasSuccessful():
        return 1
    if KUBECTL is None:
        print("SKIPPED: kubectl is not installed, so the overlays were not rendered "
              "(install kubectl >= 1.27 to run these checks)")
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
