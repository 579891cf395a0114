import { installMocks } from "../../rehearsal/pulumiMocks";

// Pulumi keeps one set of mocks per process (the last setMocks wins), so the whole mocha run
// installs them once here; component tests read what was registered from the recorder.
installMocks();

// The AWS SDK's notice that future releases need Node 22 is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/*
 * Every test server must stop by itself. If anything is still open a while after the last
 * test, say what and fail, instead of letting the run hang until CI's time limit.
 */
export const mochaHooks = {
    afterAll(): void {
        setTimeout(() => {
            const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles()
                .map((h) => h.constructor.name).filter((n) => n !== "WriteStream" && n !== "ReadStream");
            process.stderr.write(`test run finished but these handles are still open: ${handles.join(", ")}\n`);
            process.exit(1);
        }, 20000).unref();
    },
};
