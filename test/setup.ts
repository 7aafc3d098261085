import 'aws-sdk-client-mock-vitest/extend';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  throw new Error(
    `Node ${process.versions.node}: run the tests through npm scripts (they need Node >= 22)`
  );
}
