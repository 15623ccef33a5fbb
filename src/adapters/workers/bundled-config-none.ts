/** Bundled in place of a config file when a Worker is built without one (`--config none`). */
const none: unknown = undefined;
export default none;
