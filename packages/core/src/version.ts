/** This core's version: a connector's manifest states the range of it that it was built for. */
export const CORE_VERSION = '0.1.0';
