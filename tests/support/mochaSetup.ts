import { installMocks } from "./pulumiMocks";

// Pulumi keeps one set of mocks per process (the last setMocks wins), so the whole mocha run
// installs them once here; component tests read what was registered from the recorder.
installMocks();

// The AWS SDK's notice that future releases need Node 22 is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
