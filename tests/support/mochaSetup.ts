import { installMocks } from "./pulumiMocks";

// Pulumi keeps one set of mocks per process (the last setMocks wins), so the whole mocha run
// installs them once here; component tests read what was registered from the recorder.
installMocks();
