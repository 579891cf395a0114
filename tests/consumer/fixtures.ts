/** The consumer program: what a user writes after installing the packed package (strict TypeScript). */
export const CONSUMER_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { GhesPackagesSettings, PackagesStorage } from "ghes-packages-s3";

const cfg = new pulumi.Config();
const storage = new PackagesStorage("consumer", {
    ghes: {
        hostname: "ghes-consumer.example.com",
        sshHostKeyFingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
        managementPassword: cfg.requireSecret("ghesPassword"),
    },
});
export const bucket = storage.bucketName;
export const secret = storage.secretAccessKey;
export const isComponent = PackagesStorage.isInstance(storage);
export const hasSettings = GhesPackagesSettings.isInstance(storage.ghesSettings);
export const ghesVersion = storage.ghesVersion;
`;

export const CONSUMER_TSCONFIG = {
    compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, esModuleInterop: true, outDir: "out", types: ["node"] },
    files: ["index.ts"],
};

/** Runs the compiled program under the consumer's own @pulumi/pulumi mocks; prints what was registered. */
export const RUN_UNDER_MOCKS = `const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setMocks({
    newResource: (a) => { types.push(a.type); return { id: a.name + "-id", state: { ...a.inputs, ghesVersion: "3.14.2" } }; },
    call: (a) => a.inputs,
}, "consumer", "test", false);
pulumi.runtime.setAllConfig({ "consumer:ghesPassword": "consumer-password" }, ["consumer:ghesPassword"]);
const program = require("./out/index.js");
const value = (o) => new Promise((resolve) => o.apply(resolve));
Promise.all([value(program.bucket), value(program.ghesVersion), program.secret.isSecret]).then(([bucket, version, secret]) => {
    console.log(JSON.stringify({ types, bucket, version, secret, isComponent: program.isComponent, hasSettings: program.hasSettings }));
});
`;

/** Prints the serialized provider exactly as the consumer's Pulumi would store it in state. */
export const SERIALIZE_PROVIDER = `const pulumi = require("@pulumi/pulumi");
const { ghesSettingsProvider } = require("ghes-packages-s3");
pulumi.runtime.serializeFunction(() => ghesSettingsProvider, { allowSecrets: true }).then((r) => process.stdout.write(r.text));
`;
