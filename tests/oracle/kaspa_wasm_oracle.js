// Answers basalt's differential test from rusty-kaspa compiled to WebAssembly (npm kaspa-wasm).
// Reads the cases basalt generated (the JSON file named first on the command line) and writes to
// the file named second (kaspa-wasm logs to stdout) what kaspa-wasm computes for them: addresses
// derived from keys, parsed addresses, v0 transaction ids, compute masses, SIGHASH_ALL Schnorr
// signature hashes and, where asked, signatures. Nothing here knows basalt's answers; the C++ test compares.
'use strict';
const fs = require('fs');
const kaspa = require('kaspa-wasm');

const NETWORKS = {
  mainnet: kaspa.NetworkType.Mainnet,
  testnet: kaspa.NetworkType.Testnet,
  simnet: kaspa.NetworkType.Simnet,
  devnet: kaspa.NetworkType.Devnet,
};
const NATIVE_SUBNETWORK = '00'.repeat(20);
const massCalculator = new kaspa.MassCalculator(
  kaspa.getConsensusParametersByNetwork(kaspa.NetworkType.Mainnet));

function keyCase(secretHex) {
  const pair = new kaspa.PrivateKey(secretHex).toKeypair();
  const addresses = {};
  for (const [name, type] of Object.entries(NETWORKS)) {
    addresses[name] = pair.toAddress(type).toString();
  }
  return { xonly: pair.xOnlyPublicKey, addresses };
}

function addressCase(text) {
  const a = new kaspa.Address(text);
  return { prefix: a.prefix, version: a.version, text: a.toString() };
}

function u16Hex(v) {
  return v.toString(16).padStart(4, '0');
}

function txCase(c) {
  const inputs = c.inputs.map((i) => new kaspa.TransactionInput({
    previousOutpoint: new kaspa.TransactionOutpoint(new kaspa.Hash(i.txid), i.index),
    signatureScript: '',
    sequence: BigInt(i.sequence),
    sigOpCount: i.sig_op_count,
  }));
  const outputs = c.outputs.map((o) => new kaspa.TransactionOutput(
    BigInt(o.value), new kaspa.ScriptPublicKey(o.spk_version, o.spk)));
  const tx = new kaspa.Transaction({
    version: 0, inputs, outputs, lockTime: BigInt(c.lock_time),
    subnetworkId: NATIVE_SUBNETWORK, gas: 0n, payload: c.payload,
  });
  // kaspa-wasm wants an address beside each entry; it does not enter any hash.
  const anyAddress = new kaspa.Address(c.entry_address);
  const entries = new kaspa.UtxoEntries(c.entries.map((e, n) => ({
    address: anyAddress,
    outpoint: { transactionId: c.inputs[n].txid, index: c.inputs[n].index },
    utxoEntry: {
      amount: BigInt(e.amount),
      scriptPublicKey: u16Hex(e.spk_version) + e.spk,
      blockDaaScore: 0n,
      isCoinbase: false,
    },
  })));
  const signable = new kaspa.SignableTransaction(tx, entries);
  const out = { id: tx.id, sighashes: signable.getScriptHashes(), mass: massCalculator.calcMassForTransaction(tx) };
  if (c.sign_with) {
    const signed = kaspa.signTransaction(signable, [new kaspa.PrivateKey(c.sign_with)], true);
    out.signature_scripts = signed.tx.inputs.map((i) => i.signatureScript);
    out.signed_mass = massCalculator.calcMassForTransaction(signed.tx);
  }
  return out;
}

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const answer = {
  version: require('kaspa-wasm/package.json').version,
  keys: cases.keys.map(keyCase),
  addresses: cases.addresses.map(addressCase),
  txs: cases.txs.map(txCase),
};
fs.writeFileSync(process.argv[3], JSON.stringify(answer));
