import { LocalS3, S3RequestRecord } from "../../rehearsal/localS3";

/*
 * Interleavings of concurrent clients of the local S3, forced through its `beforeServing` hook
 * instead of met by repeating a race: each case runs once and always meets the order it names.
 * Clients are told apart by their access key id.
 */

const isObject = (r: S3RequestRecord, bucket: string, object: string) => r.path.split("?")[0] === `/${bucket}/${object}`;

/**
 * Every client in `order` decides before anyone writes: each one's PUT of the object is held
 * until all of them have sent theirs (so each read it as it was before any of the writes), then
 * they are let in one at a time in `order`, each once the one before holds the object's write
 * turn. Later requests pass unheld.
 */
export function writesMeet(s3: LocalS3, bucket: string, object: string, order: string[]): void {
    const held = new Map<string, () => void>();
    let released = false;
    s3.beforeServing = async (r) => {
        if (released || r.method !== "PUT" || !isObject(r, bucket, object)) return;
        await new Promise<void>((resolve) => {
            held.set(r.accessKeyId!, resolve);
            if (order.some((id) => !held.has(id))) return;
            released = true;
            // setImmediate runs after every pending promise job: the writer let in before has taken its turn.
            order.reduce((before, id) => before.then(() => new Promise<void>((next) => setImmediate(() => { held.get(id)!(); next(); }))), Promise.resolve());
        });
    };
}

/** `reader`'s reads of the object wait until `until` settles (another client's whole operation). */
export function readAfter(s3: LocalS3, bucket: string, object: string, reader: string, until: Promise<unknown>): void {
    s3.beforeServing = async (r) => {
        if (r.accessKeyId === reader && r.method === "GET" && isObject(r, bucket, object)) await until.then(() => undefined, () => undefined);
    };
}
