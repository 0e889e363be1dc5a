//! Input shared by the benches: a compute-like `InstanceList`.

/// A page of `count` instances shaped like compute v1's `Instance`, every
/// one with its own name, id, addresses and timestamps.
pub fn instance_list(count: usize) -> Vec<u8> {
    let mut out = String::with_capacity(count * 1600);
    out.push_str(r#"{"kind":"compute#instanceList","id":"projects/p1/zones/us-central1-a/instances","items":["#);
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        let zone = ["us-central1-a", "us-central1-b", "europe-west1-c"][i % 3];
        let base = "https://www.googleapis.com/compute/v1/projects/p1";
        out.push_str(&format!(
            concat!(
                r#"{{"kind":"compute#instance","id":"{id}","creationTimestamp":"2026-{m:02}-{d:02}T{h:02}:{mi:02}:07.123-07:00","#,
                r#""name":"worker-{i}","description":"","tags":{{"items":["http-server","pool-{p}"],"fingerprint":"{fp}"}},"#,
                r#""machineType":"{base}/zones/{zone}/machineTypes/e2-standard-{cpus}","status":"RUNNING","zone":"{base}/zones/{zone}","#,
                r#""canIpForward":false,"networkInterfaces":[{{"kind":"compute#networkInterface","network":"{base}/global/networks/default","#,
                r#""subnetwork":"{base}/regions/us-central1/subnetworks/default","networkIP":"10.{a}.{b}.{c}","name":"nic0","#,
                r#""accessConfigs":[{{"kind":"compute#accessConfig","type":"ONE_TO_ONE_NAT","name":"External NAT","natIP":"34.{b}.{c}.{a}","networkTier":"PREMIUM"}}],"#,
                r#""fingerprint":"{fp2}","stackType":"IPV4_ONLY"}}],"disks":[{{"kind":"compute#attachedDisk","type":"PERSISTENT","mode":"READ_WRITE","#,
                r#""source":"{base}/zones/{zone}/disks/worker-{i}","deviceName":"persistent-disk-0","index":0,"boot":true,"autoDelete":true,"#,
                r#""licenses":["https://www.googleapis.com/compute/v1/projects/debian-cloud/global/licenses/debian-12-bookworm"],"#,
                r#""interface":"SCSI","guestOsFeatures":[{{"type":"UEFI_COMPATIBLE"}},{{"type":"VIRTIO_SCSI_MULTIQUEUE"}},{{"type":"GVNIC"}}],"#,
                r#""diskSizeGb":"{gb}","architecture":"X86_64"}}],"metadata":{{"kind":"compute#metadata","fingerprint":"{fp3}","#,
                r##""items":[{{"key":"startup-script","value":"#!/bin/bash\necho worker {i} > /etc/motd\n"}}]}},"##,
                r#""serviceAccounts":[{{"email":"{n}-compute@developer.gserviceaccount.com","scopes":["https://www.googleapis.com/auth/devstorage.read_only","https://www.googleapis.com/auth/logging.write","https://www.googleapis.com/auth/monitoring.write"]}}],"#,
                r#""selfLink":"{base}/zones/{zone}/instances/worker-{i}","scheduling":{{"onHostMaintenance":"MIGRATE","automaticRestart":true,"preemptible":false,"provisioningModel":"STANDARD"}},"#,
                r#""cpuPlatform":"Intel Broadwell","labels":{{"team":"t{p}","env":"prod"}},"labelFingerprint":"{fp4}","startRestricted":false,"deletionProtection":false,"#,
                r#""shieldedInstanceConfig":{{"enableSecureBoot":false,"enableVtpm":true,"enableIntegrityMonitoring":true}},"fingerprint":"{fp5}","lastStartTimestamp":"2026-{m:02}-{d:02}T{h:02}:{mi:02}:21.456-07:00"}}"#
            ),
            id = 4_000_000_000_000_000_000u64 + (i as u64) * 7919,
            m = 1 + i % 12,
            d = 1 + i % 28,
            h = i % 24,
            mi = i % 60,
            i = i,
            p = i % 17,
            fp = fingerprint(i, 1),
            fp2 = fingerprint(i, 2),
            fp3 = fingerprint(i, 3),
            fp4 = fingerprint(i, 4),
            fp5 = fingerprint(i, 5),
            base = base,
            zone = zone,
            cpus = [2, 4, 8, 16][i % 4],
            a = i % 256,
            b = (i / 256) % 256,
            c = (i * 7) % 256,
            gb = [10, 20, 50, 100][i % 4],
            n = 100_000_000_000u64 + (i as u64 % 5),
        ));
    }
    out.push_str(r#"],"selfLink":"https://www.googleapis.com/compute/v1/projects/p1/zones/us-central1-a/instances"}"#);
    out.into_bytes()
}

/// An 11-character base64-like fingerprint that differs for every input.
fn fingerprint(i: usize, salt: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03);
    (0..11)
        .map(|_| {
            x ^= x >> 29;
            x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            ALPHABET[(x >> 58) as usize] as char
        })
        .chain("=".chars())
        .collect()
}
