import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * The folders show the layers, and imports flow one way (README, "Development"):
 * index.ts -> components/ -> provider/ -> ghes/, storage/, policies/, validation/.
 * The GHES client layer and the pure layers know nothing of Pulumi. The policy pack sits
 * beside the components and uses only the pure rules (and the type tokens), never @pulumi/aws.
 */
function importsOf(dir: string): { file: string; from: string }[] {
    return readdirSync(dir).filter((f) => f.endsWith(".ts")).flatMap((f) => {
        const text = readFileSync(join(dir, f), "utf8");
        return [...text.matchAll(/(?:from|require\()\s*"([^"]+)"/g)].map((m) => ({ file: `${dir}/${f}`, from: m[1] }));
    });
}

const RULES: [string, RegExp, string][] = [
    ["ghes", /^@pulumi\/|^\.\.\/(provider|components|storage|policies|rehearsal|tests)\b/, "the GHES client layer is free of Pulumi and of the layers above it"],
    ["storage", /^@pulumi\/|^\.\.\/(provider|components|rehearsal|tests)\b/, "the storage check is free of Pulumi"],
    ["validation", /^@pulumi\/|^\.\.\/(provider|components|storage|rehearsal|tests)\b/, "value rules are pure"],
    ["policies", /^@pulumi\/|^\.\.\/(provider|components|ghes|storage|rehearsal|tests)\b/, "policy builders are pure"],
    ["provider", /^\.\.\/(components|rehearsal|tests)\b|^@pulumi\/pulumi$/, "the provider needs no component, and no Pulumi runtime (types only)"],
    ["components", /^\.\.\/(rehearsal|tests)\b/, "components never import the rehearsal kit"],
    ["policypack", /^@pulumi\/(aws|pulumi)\b|^\.\.\/(provider\/(?!fields$)|components\/(?!typeTokens$)|ghes|storage|rehearsal|tests|index)/,
        "the policy pack uses the pure rules, the field table and the type tokens only: no components, GHES client, @pulumi/aws or @pulumi/pulumi runtime"],
    ["scripts", /^\.\.\/tests\b/, "scripts import nothing from tests/"],
    ["rehearsal", /^\.\.\/tests\b/, "the rehearsal kit imports nothing from tests/"],
];

describe("layers: imports flow one way", () => {
    for (const [dir, forbidden, why] of RULES) {
        it(`${dir}/: ${why}`, () => {
            const bad = importsOf(dir).filter((i) => forbidden.test(i.from)).map((i) => `${i.file} imports ${i.from}`);
            assert.deepEqual(bad, []);
        });
    }
});
