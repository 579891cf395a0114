/* eslint-disable @typescript-eslint/no-require-imports -- run-time loading is the point of this file */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/*
 * The provider object Pulumi serializes into every resource's state (`__provider`). It is
 * deliberately tiny: each method loads the real implementation at run time instead of
 * having the closure serializer copy the clients (ssh2, AWS SDK) into state. Nothing here
 * holds a secret; only the two strings below are captured.
 *
 * Resolution order: the installed package by name (works wherever the program runs, e.g. a
 * CI checkout at another path deleting a resource created elsewhere), then the file this
 * module was loaded from (a source checkout of this repository), named relative to the
 * program's directory: the program and the dynamic-provider host both run there, so the text
 * in state holds no path of the machine that wrote it and a moved checkout keeps working.
 */
const PACKAGE_IMPL = "ghes-packages-s3/dist/provider/ghesSettingsProvider";
const LOCAL_IMPL = require("node:path").relative(process.cwd(), require.resolve("./ghesSettingsProvider")).split("\\").join("/");

function impl(): dynamic.ResourceProvider {
    let mod: { makeGhesSettingsProvider: () => dynamic.ResourceProvider };
    try {
        mod = require(PACKAGE_IMPL);
    } catch {
        const local: string = require("node:path").resolve(LOCAL_IMPL); // from the host's working directory
        // A TypeScript source checkout: the host runs plain node, so let sucrase compile (a
        // module: registered once, however many calls come through here).
        if (local.endsWith(".ts")) require("sucrase/register/ts");
        mod = require(local);
    }
    return mod.makeGhesSettingsProvider();
}

export const ghesSettingsProvider: dynamic.ResourceProvider = {
    check: (olds, news) => impl().check!(olds, news),
    diff: (id, olds, news) => impl().diff!(id, olds, news),
    create: (inputs) => impl().create(inputs),
    read: (id, props) => impl().read!(id, props),
    update: (id, olds, news) => impl().update!(id, olds, news),
    delete: (id, props) => impl().delete!(id, props),
};
