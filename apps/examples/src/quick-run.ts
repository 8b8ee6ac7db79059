import '@tessera/backend-cpu';
const name = process.argv[2];
const mod = await import(`./examples/${name}.ts`);
console.log(JSON.stringify(await mod.main({ quick: process.argv[3] !== 'full' }), null, 1));
