/*
 * layout.c -- STAND-IN test tool of cairn; never shipped.
 *
 * Prints sizeof and offsetof of every structure of vixDiskLib.h and vixMntapi.h that cairn's JNA
 * binding maps, and the size of every member, from the very declarations the stand-in libraries are
 * compiled with (vddk-standin.h), one "Name=bytes" or "Name.field=offset" / "Name.field#size=bytes"
 * per line. StandinStructLayoutIT compares each with the JNA structure.
 */
#include <stdio.h>

#include "vddk-standin.h"

#define SIZE(T) printf("%s=%zu\n", #T, sizeof(T))
#define FIELD(T, F) printf("%s.%s=%zu\n%s.%s#size=%zu\n", #T, #F, offsetof(T, F), #T, #F, sizeof(((T *)0)->F))
#define NESTED(T, P, F) printf("%s.%s.%s=%zu\n", #T, #P, #F, offsetof(T, P.F))

int main(void) {
    SIZE(VixDiskLibGeometry);
    FIELD(VixDiskLibGeometry, cylinders);
    FIELD(VixDiskLibGeometry, heads);
    FIELD(VixDiskLibGeometry, sectors);

    SIZE(VixDiskLibInfo);
    FIELD(VixDiskLibInfo, biosGeo);
    FIELD(VixDiskLibInfo, physGeo);
    FIELD(VixDiskLibInfo, capacity);
    FIELD(VixDiskLibInfo, adapterType);
    FIELD(VixDiskLibInfo, numLinks);
    FIELD(VixDiskLibInfo, parentFileNameHint);
    FIELD(VixDiskLibInfo, uuid);
    FIELD(VixDiskLibInfo, logicalSectorSize);
    FIELD(VixDiskLibInfo, physicalSectorSize);

    SIZE(VixDiskLibBlock);
    FIELD(VixDiskLibBlock, offset);
    FIELD(VixDiskLibBlock, length);

    SIZE(VixDiskLibBlockList);
    FIELD(VixDiskLibBlockList, numBlocks);
    FIELD(VixDiskLibBlockList, blocks);

    SIZE(VixDiskLibConnectParams);
    FIELD(VixDiskLibConnectParams, vmxSpec);
    FIELD(VixDiskLibConnectParams, serverName);
    FIELD(VixDiskLibConnectParams, thumbPrint);
    FIELD(VixDiskLibConnectParams, privateUse);
    FIELD(VixDiskLibConnectParams, credType);
    FIELD(VixDiskLibConnectParams, creds);
    FIELD(VixDiskLibConnectParams, port);
    FIELD(VixDiskLibConnectParams, nfcHostPort);
    FIELD(VixDiskLibConnectParams, vimApiVer);
    FIELD(VixDiskLibConnectParams, reserved);
    FIELD(VixDiskLibConnectParams, state);
    FIELD(VixDiskLibConnectParams, spec);
    FIELD(VixDiskLibConnectParams, specType);
    NESTED(VixDiskLibConnectParams, creds.uid, userName);
    NESTED(VixDiskLibConnectParams, creds.uid, password);
    NESTED(VixDiskLibConnectParams, creds.sessionId, cookie);
    NESTED(VixDiskLibConnectParams, creds.sessionId, userName);
    NESTED(VixDiskLibConnectParams, creds.sessionId, key);
    NESTED(VixDiskLibConnectParams, spec.vStorageObjSpec, id);
    NESTED(VixDiskLibConnectParams, spec.vStorageObjSpec, datastoreMoRef);
    NESTED(VixDiskLibConnectParams, spec.vStorageObjSpec, ssId);

    SIZE(VixOsInfo);
    FIELD(VixOsInfo, family);
    FIELD(VixOsInfo, majorVersion);
    FIELD(VixOsInfo, minorVersion);
    FIELD(VixOsInfo, osIs64Bit);
    FIELD(VixOsInfo, vendor);
    FIELD(VixOsInfo, edition);
    FIELD(VixOsInfo, osFolder);

    SIZE(VixVolumeInfo);
    FIELD(VixVolumeInfo, type);
    FIELD(VixVolumeInfo, isMounted);
    FIELD(VixVolumeInfo, symbolicLink);
    FIELD(VixVolumeInfo, numGuestMountPoints);
    FIELD(VixVolumeInfo, inGuestMountPoints);

    SIZE(VixDiskSetInfo);
    FIELD(VixDiskSetInfo, openFlags);
    FIELD(VixDiskSetInfo, mountPath);
    return 0;
}
