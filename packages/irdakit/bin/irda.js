#!/usr/bin/env node
// The `irda` command of the umbrella package: the one of @irdakit/cli.
import '@irdakit/cli/bin'
