import { installMocks } from "../../rehearsal/pulumiMocks";

// Pulumi keeps one set of mocks per process (the last setMocks wins), so every mocha process
// (each parallel worker) installs them once here; component tests read what was registered from the recorder.
installMocks();

// The AWS SDK's notice that future releases need Node 22 is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
