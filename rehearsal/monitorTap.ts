/* eslint-disable @typescript-eslint/no-require-imports -- SDK internals, loaded where used */

/*
 * The two places the mocks reach into @pulumi/pulumi internals, isolated here. The mock API
 * hides resource options (retainOnDelete, dependsOn, replacementTrigger, ...) that a test of
 * a component must see, so the mock monitor's registerResource is wrapped; and tests wait for
 * the SDK's own RPC queue to drain instead of sleeping.
 *
 * Checked against @pulumi/pulumi 3.248.0 (the lockfile, Node 20) and the latest 3.x run by
 * the second CI leg (Node 24): `runtime/settings` exports `getMonitor()` and `waitForRPCs()`,
 * and register requests carry the getters below. If a release renames them, the component
 * tests fail loudly here rather than passing silently.
 */

/** The parts of the SDK's RegisterResourceRequest the tests read. */
export interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getRetainondelete?(): boolean;
    getProtect?(): boolean;
    getDependenciesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getReplacementTrigger?(): { toJavaScript(): unknown } | undefined;
    getDeletebeforereplace(): boolean;
    getObject(): { toJavaScript(): unknown };
}

function settings(): { getMonitor(): { registerResource: (req: RegisterRequest, cb: unknown) => unknown }; waitForRPCs(): Promise<void> } {
    const s = require("@pulumi/pulumi/runtime/settings");
    if (typeof s.getMonitor !== "function" || typeof s.waitForRPCs !== "function") {
        throw new Error("this @pulumi/pulumi has no runtime/settings getMonitor/waitForRPCs: update rehearsal/monitorTap.ts");
    }
    return s;
}

/** Calls `onRegister` with every resource registration before it reaches the mock monitor. */
export function tapRegistrations(onRegister: (req: RegisterRequest) => void): void {
    const monitor = settings().getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: RegisterRequest, callback: unknown) => {
        onRegister(req);
        return register(req, callback);
    };
}

/** Resolves when the SDK has no registration or other RPC in flight. */
export function waitForRegistrations(): Promise<void> {
    return settings().waitForRPCs();
}
