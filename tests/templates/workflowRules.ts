import { load } from "js-yaml";

/*
 * What makes the deploy workflow one to run production with, as checks over its parsed YAML.
 * Each rule names the defect it catches; tests/templates/deployWorkflow.test.ts feeds the
 * shipped workflow (no problem) and one broken copy per rule (that rule's problem).
 */
type Step = { uses?: string; run?: string; name?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };
type Job = { if?: string; "runs-on"?: string | string[]; environment?: string | { name: string }; concurrency?: string | { group: string; "cancel-in-progress"?: boolean }; permissions?: Record<string, string>; env?: Record<string, unknown>; steps?: Step[] };
type Workflow = { on?: Record<string, unknown>; env?: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, Job> };

/** Pulumi CLI minimum (README, "Versions": the delete order a key rotation relies on). */
const CLI_MINIMUM = [3, 46, 0];

const usesSecrets = (x: unknown) => JSON.stringify(x ?? {}).includes("secrets.");
const isPulumi = (s: Step) => /^pulumi\/actions@/.test(s.uses ?? "");
const runsOnlyOnPushToMain = (j: Job) => /github\.event_name == 'push'/.test(j.if ?? "") && /github\.ref == 'refs\/heads\/main'/.test(j.if ?? "");
const atLeast = (v: number[], min: number[]) => v[0] !== min[0] ? v[0] > min[0] : v[1] !== min[1] ? v[1] > min[1] : v[2] >= min[2];

/** Problems of `text` (a workflow as laid down in a project named `project`), one line each. */
export function workflowProblems(text: string, project: string): string[] {
    const wf = load(text) as Workflow;
    const problems: string[] = [];
    const jobs = Object.entries(wf.jobs ?? {});
    const triggers = Object.keys(wf.on ?? {});
    for (const t of ["pull_request_target", "workflow_run"]) {
        if (triggers.includes(t)) problems.push(`trigger ${t}: runs with the repository's secrets for code from a pull request`);
    }
    if (usesSecrets(wf.env)) problems.push("workflow-level env holds secrets: every step (npm ci's install scripts too) sees them");
    if (wf.permissions?.["id-token"] === "write") problems.push("workflow-level id-token: write: every job (pull requests too) could assume the deploy role");

    const pulumiJobs = jobs.filter(([, j]) => (j.steps ?? []).some(isPulumi));
    if (pulumiJobs.length === 0) problems.push("no job runs pulumi/actions");
    for (const [name, job] of jobs) {
        const steps = job.steps ?? [];
        const pulumiSteps = steps.filter(isPulumi);
        const deploys = pulumiSteps.some((s) => s.with?.command === "up");
        if (usesSecrets(job.env)) problems.push(`job ${name}: job-level env holds secrets (set them on the step that needs them)`);
        const prReachable = !runsOnlyOnPushToMain(job);
        if (prReachable && (usesSecrets(job) || job.permissions?.["id-token"] === "write")) {
            problems.push(`job ${name}: runs for pull requests (unreviewed code) with secrets or the deploy role`);
        }
        if (prReachable && [job["runs-on"]].flat().includes("self-hosted")) problems.push(`job ${name}: runs pull-request code on the self-hosted runner inside the GHES network`);
        if (deploys) {
            if (!runsOnlyOnPushToMain(job)) problems.push(`job ${name}: pulumi up is not limited to pushes to main`);
            const env = typeof job.environment === "string" ? job.environment : job.environment?.name;
            if (!env) problems.push(`job ${name}: pulumi up without a protected deployment environment`);
            const group = typeof job.concurrency === "string" ? job.concurrency : job.concurrency?.group;
            if (!group) problems.push(`job ${name}: no concurrency group: two quick merges would run pulumi up on one stack at once`);
            else if (typeof job.concurrency === "object" && job.concurrency["cancel-in-progress"] === true) problems.push(`job ${name}: cancel-in-progress would kill a running pulumi up`);
            for (const s of pulumiSteps) {
                const stack = String(s.with?.["stack-name"] ?? "");
                const stackName = stack.split("/").pop();
                if (group && !(group.includes(project) && stackName && group.includes(stackName))) problems.push(`job ${name}: concurrency group ${group} is not per stack (${stack})`);
            }
        }
        const install = steps.findIndex((s) => /\bnpm (ci|install)\b/.test(s.run ?? ""));
        if (install >= 0 && !/--ignore-scripts/.test(steps[install].run ?? "")) problems.push(`job ${name}: npm ci runs install scripts`);
        steps.forEach((s, i) => {
            if (usesSecrets(s) && install >= 0 && i < install) problems.push(`job ${name}: step ${s.name ?? s.uses ?? s.run} has secrets before npm ci`);
            if (/configure-aws-credentials/.test(s.uses ?? "") && install >= 0 && i < install) problems.push(`job ${name}: AWS credentials are exported before npm ci runs`);
        });
        for (const s of pulumiSteps) {
            const v = String(s.with?.["pulumi-version"] ?? "");
            const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
            if (!m) problems.push(`job ${name}: Pulumi CLI not pinned to an exact version (pulumi-version: ${JSON.stringify(v)})`);
            else if (!atLeast(m.slice(1).map(Number), CLI_MINIMUM)) problems.push(`job ${name}: Pulumi CLI ${v} is older than ${CLI_MINIMUM.join(".")}`);
            const stack = String(s.with?.["stack-name"] ?? "");
            const parts = stack.split("/");
            if (parts.length !== 3 || parts[1] !== project) problems.push(`job ${name}: stack ${stack} is not a stack of project ${project}`);
        }
    }
    if (/GHES_MANAGEMENT_PASSWORD|secrets\.GHES_[A-Z_]*PASSWORD/.test(text)) {
        problems.push("a GHES password from the workflow: the program takes the stack's config secret ghesPassword, one source only");
    }
    return problems;
}
