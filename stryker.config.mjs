// Mutation testing (README "Mutation testing"): `npm run test:mutation` mutates the pure and
// client layers and runs, for each mutant, only the tests that cover it. Not in CI (minutes).
// One file with the tests that exercise it:
//   MUTATION_TESTS="tests/policies/partition.test.ts" npm run test:mutation -- --mutate policies/partition.ts
const unitTests = [
    "tests/policies/*.test.ts",
    "tests/validation/*.test.ts",
    "tests/ghes/*.test.ts",
    "tests/storage/*.test.ts",
    "tests/rehearsal/*.test.ts",
    // The provider through the simulator, in this process (the dynamic-provider host tests run
    // it in another process, where mutants are not switched on).
    "tests/provider/fields.test.ts",
    "tests/provider/inputs.test.ts",
    "tests/provider/redact.test.ts",
    "tests/provider/ghesSettingsProvider.test.ts",
    "tests/provider/safety.test.ts",
    "tests/provider/rotationOrder.test.ts",
];

const report = process.env.MUTATION_REPORT ?? "mutation";

export default {
    testRunner: "mocha",
    mochaOptions: {
        // mocha in one process, without this suite's parallel workers and run checks.
        config: "tests/support/mutation.mocharc.json",
        spec: process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(/[\s,]+/).filter(Boolean) : unitTests,
    },
    mutate: ["ghes/**/*.ts", "provider/**/*.ts", "validation/**/*.ts", "policies/**/*.ts"],
    coverageAnalysis: "perTest",
    concurrency: 2,
    timeoutMS: 10000,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: `reports/mutation/${report}.html` },
    jsonReporter: { fileName: `reports/mutation/${report}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    thresholds: { high: 90, low: 80, break: null },
};
