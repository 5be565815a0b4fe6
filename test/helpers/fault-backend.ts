/** The tests' path to the project's one fake backend, which lives in testkit/ because bench/ (built) uses it too. */
export * from '../../testkit/fault-backend.js';
