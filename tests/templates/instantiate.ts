import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";

/** What `pulumi new` asks for: the project's name and description, and each `template.config` prompt. */
export interface TemplateAnswers {
    project: string;
    description: string;
}

export interface TemplatePrompt {
    description?: string;
    default?: string;
    secret?: boolean;
}

export const TEMPLATE_DIR = "templates/ghes-packages";

/** The `template.config` prompts of a template's Pulumi.yaml. */
export function templatePrompts(dir = TEMPLATE_DIR): Record<string, TemplatePrompt> {
    const project = load(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as { template?: { config?: Record<string, TemplatePrompt> } };
    return project.template?.config ?? {};
}

/** Text as `pulumi new` lays it down: `${PROJECT}` and `${DESCRIPTION}` replaced in every file (pulumi/templates README, "Text replacement"). */
export function substitute(text: string, answers: TemplateAnswers): string {
    return text.split("${PROJECT}").join(answers.project).split("${DESCRIPTION}").join(answers.description);
}

/**
 * Lays a template down into `target` as `pulumi new` does: every file copied with the text
 * replaced, and the `template:` section dropped from Pulumi.yaml (the CLI removes it from the
 * project it writes; its prompts become the new stack's config instead).
 */
export function instantiateTemplate(target: string, answers: TemplateAnswers, dir = TEMPLATE_DIR): void {
    const copy = (from: string, to: string, root: boolean) => {
        for (const entry of readdirSync(from)) {
            if (statSync(join(from, entry)).isDirectory()) {
                mkdirSync(join(to, entry), { recursive: true });
                copy(join(from, entry), join(to, entry), false);
                continue;
            }
            let text = substitute(readFileSync(join(from, entry), "utf8"), answers);
            if (root && entry === "Pulumi.yaml") text = text.replace(/^template:\n(?:[ \t]+.*\n|\n)*/m, "");
            writeFileSync(join(to, entry), text);
        }
    };
    mkdirSync(target, { recursive: true });
    copy(dir, target, true);
}
