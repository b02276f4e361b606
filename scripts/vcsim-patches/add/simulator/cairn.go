/*
cairn's additions to govmomi's vCenter simulator, built into vcsim by cairn's scripts/vcsim (with
the hooks in scripts/vcsim-patches/cbt-hooks.patch). Not part of govmomi.

Changed block tracking. vcsim 0.24.2 has no QueryChangedDiskAreas. Disk content only changes
through the datastore's HTTP file access (PUT or POST of a whole file), so every such write is
compared, 64 KiB block by 64 KiB block, with the file it replaces (bytes past the old end count
as zeros, bytes past the new end as changed if they held data) and the changed blocks are logged
for that file under the next sequence number. A disk's changeId is "<id>/<seq>" (as ESXi's
"52 b1 ... 7e/42"): id a UUID stable for the file's path, seq the last logged write. When a VM
with changeTrackingEnabled takes a snapshot, the snapshot's copy of each flat disk gets the
changeId of its data file, "<descriptor stem>-flat.vmdk" beside the descriptor (what ESXi and
qemu-img's monolithicFlat write). QueryChangedDiskAreas(vm, snapshot, deviceKey, startOffset,
changeId) then answers:
  - changeId "*": the 64 KiB blocks of the data file that are not all zeros (the areas in use);
  - changeId "<id>/<n>": every block logged after n, up to the snapshot's changeId (a write after
    the snapshot is not in it), merged, from startOffset to the disk's capacity, in one window;
  - a changeId of another disk, or one newer than the snapshot, or tracking turned off: a fault,
    as ESXi gives when the chain is broken (the caller then reads the whole disk).

API versions. vimServiceVersions.xml lists realistic prior versions below the one vcsim runs as
(-api-version), so that a client negotiating against "8.0.2.0" sees 7.0.x among them.
*/

package simulator

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const cbtBlock = 64 * 1024

type cbtEntry struct {
	seq     int
	changed []types.DiskChangeExtent
}

type cbtLog struct {
	id      string
	seq     int
	entries []cbtEntry
}

var cbt = struct {
	sync.Mutex
	logs map[string]*cbtLog
}{logs: make(map[string]*cbtLog)}

// cbtLogOf returns the log of the local file p; the caller holds cbt's lock.
func cbtLogOf(p string) *cbtLog {
	l := cbt.logs[p]
	if l == nil {
		l = &cbtLog{id: newUUID("cbt:" + p)}
		cbt.logs[p] = l
	}
	return l
}

func cbtChangeID(p string) string {
	cbt.Lock()
	defer cbt.Unlock()
	l := cbtLogOf(p)
	return fmt.Sprintf("%s/%d", l.id, l.seq)
}

func cbtAdd(areas []types.DiskChangeExtent, start, length int64) []types.DiskChangeExtent {
	if n := len(areas); n > 0 && areas[n-1].Start+areas[n-1].Length == start {
		areas[n-1].Length += length
		return areas
	}
	return append(areas, types.DiskChangeExtent{Start: start, Length: length})
}

func cbtZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// cbtPut replaces the file p with the body (what the handler's os.Create and io.Copy did) through
// a temporary file renamed over it (readers see the old or the new file, never half of one), and
// logs the blocks that changed.
func cbtPut(p string, body io.Reader) error {
	old, err := os.Open(p)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	if old != nil {
		defer old.Close()
	}
	// a temporary file of its own per upload: two uploads of one file never write into each other
	f, err := os.CreateTemp(path.Dir(p), "."+path.Base(p)+".cbt-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(e error) error {
		_ = f.Close()
		_ = os.Remove(tmp)
		return e
	}
	var changed []types.DiskChangeExtent
	buf := make([]byte, cbtBlock)
	was := make([]byte, cbtBlock)
	var off int64
	for {
		n, rerr := io.ReadFull(body, buf)
		if n > 0 {
			if _, werr := f.Write(buf[:n]); werr != nil {
				return fail(werr)
			}
			m := 0
			if old != nil {
				m, _ = old.ReadAt(was[:n], off)
			}
			for i := m; i < n; i++ {
				was[i] = 0
			}
			if !bytes.Equal(buf[:n], was[:n]) {
				changed = cbtAdd(changed, off, int64(n))
			}
			off += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return fail(rerr)
		}
	}
	if old != nil {
		if st, e := old.Stat(); e == nil {
			for o := off; o < st.Size(); o += cbtBlock {
				m, _ := old.ReadAt(was, o)
				if !cbtZero(was[:m]) {
					changed = cbtAdd(changed, o, int64(m))
				}
			}
		}
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if len(changed) > 0 {
		cbt.Lock()
		l := cbtLogOf(p)
		l.seq++
		l.entries = append(l.entries, cbtEntry{seq: l.seq, changed: changed})
		cbt.Unlock()
	}
	return nil
}

// cbtDataFile is the local path of a disk's data file: "[ds] dir/name.vmdk" -> <ds url>/dir/name-flat.vmdk.
func cbtDataFile(vm *VirtualMachine, fileName string) (string, types.BaseMethodFault) {
	p, fault := parseDatastorePath(fileName)
	if fault != nil {
		return "", fault
	}
	host, ok := Map.Get(*vm.Runtime.Host).(*HostSystem)
	if !ok {
		return "", &types.InvalidState{}
	}
	ds, ok := Map.FindByName(p.Datastore, host.Datastore).(*Datastore)
	if !ok {
		return "", &types.InvalidDatastorePath{DatastorePath: fileName}
	}
	return path.Join(ds.Info.GetDatastoreInfo().Url, strings.TrimSuffix(p.Path, ".vmdk")+"-flat.vmdk"), nil
}

// cbtSnapshot gives the disks of a new snapshot's config (copies: the VM's own devices are shared
// with it) the changeId of their data files, when the VM tracks changes.
func cbtSnapshot(vm *VirtualMachine, cfg *types.VirtualMachineConfigInfo) {
	if !isTrue(vm.Config.ChangeTrackingEnabled) {
		return
	}
	devices := make([]types.BaseVirtualDevice, len(cfg.Hardware.Device))
	for i, d := range cfg.Hardware.Device {
		devices[i] = d
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		if !ok {
			continue
		}
		p, fault := cbtDataFile(vm, b.FileName)
		if fault != nil {
			continue
		}
		dc, bc := *disk, *b
		bc.ChangeId = cbtChangeID(p)
		dc.Backing = &bc
		devices[i] = &dc
	}
	cfg.Hardware.Device = devices
}

func cbtParse(changeID string) (string, int, bool) {
	i := strings.LastIndexByte(changeID, '/')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(changeID[i+1:])
	return changeID[:i], n, err == nil && n >= 0
}

// cbtInUse lists the blocks of the data file in [start, end) that are not all zeros.
func cbtInUse(p string, start, end int64) []types.DiskChangeExtent {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	var areas []types.DiskChangeExtent
	buf := make([]byte, cbtBlock)
	for o := start - start%cbtBlock; o < end; o += cbtBlock {
		n, _ := f.ReadAt(buf, o)
		if n == 0 {
			break
		}
		if !cbtZero(buf[:n]) {
			s, e := o, o+int64(n)
			if s < start {
				s = start
			}
			if e > end {
				e = end
			}
			areas = cbtAdd(areas, s, e-s)
		}
	}
	return areas
}

func cbtQuery(vm *VirtualMachine, req *types.QueryChangedDiskAreas) (*types.DiskChangeInfo, string, types.BaseMethodFault) {
	if !isTrue(vm.Config.ChangeTrackingEnabled) {
		return nil, "changed block tracking is not enabled on " + vm.Name, &types.InvalidState{}
	}
	cfg := vm.Config
	if req.Snapshot != nil {
		s, ok := Map.Get(*req.Snapshot).(*VirtualMachineSnapshot)
		if !ok {
			return nil, "no snapshot " + req.Snapshot.Value, &types.ManagedObjectNotFound{Obj: *req.Snapshot}
		}
		cfg = &s.Config
	}
	var disk *types.VirtualDisk
	for _, d := range cfg.Hardware.Device {
		if x, ok := d.(*types.VirtualDisk); ok && x.Key == req.DeviceKey {
			disk = x
		}
	}
	if disk == nil {
		return nil, fmt.Sprintf("no disk with key %d", req.DeviceKey), &types.InvalidArgument{InvalidProperty: "deviceKey"}
	}
	b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
	if !ok {
		return nil, "not a flat disk", &types.InvalidArgument{InvalidProperty: "deviceKey"}
	}
	p, fault := cbtDataFile(vm, b.FileName)
	if fault != nil {
		return nil, "no data file for " + b.FileName, fault
	}
	capacity := disk.CapacityInBytes
	if capacity == 0 {
		capacity = disk.CapacityInKB * 1024
	}
	start := req.StartOffset
	if start < 0 || start >= capacity {
		return nil, fmt.Sprintf("startOffset %d outside the disk (%d bytes)", start, capacity), &types.InvalidArgument{InvalidProperty: "startOffset"}
	}
	var areas []types.DiskChangeExtent
	if req.ChangeId == "*" {
		areas = cbtInUse(p, start, capacity)
	} else {
		id, since, ok := cbtParse(req.ChangeId)
		cbt.Lock()
		l := cbtLogOf(p)
		upTo := l.seq
		if _, s, ok := cbtParse(b.ChangeId); ok {
			upTo = s
		}
		if !ok || id != l.id || since > upTo {
			cbt.Unlock()
			return nil, "changeId " + req.ChangeId + " is not of this disk's change tracking", &types.InvalidArgument{InvalidProperty: "changeId"}
		}
		for _, e := range l.entries {
			if e.seq > since && e.seq <= upTo {
				areas = append(areas, e.changed...)
			}
		}
		cbt.Unlock()
		areas = cbtMerge(areas, start, capacity)
	}
	return &types.DiskChangeInfo{StartOffset: start, Length: capacity - start, ChangedArea: areas}, "", nil
}

// cbtMerge clips the areas to [start, end), sorts and merges them.
func cbtMerge(areas []types.DiskChangeExtent, start, end int64) []types.DiskChangeExtent {
	var clipped []types.DiskChangeExtent
	for _, a := range areas {
		s, e := a.Start, a.Start+a.Length
		if s < start {
			s = start
		}
		if e > end {
			e = end
		}
		if s < e {
			clipped = append(clipped, types.DiskChangeExtent{Start: s, Length: e - s})
		}
	}
	sort.Slice(clipped, func(i, j int) bool { return clipped[i].Start < clipped[j].Start })
	var out []types.DiskChangeExtent
	for _, a := range clipped {
		if n := len(out); n > 0 && out[n-1].Start+out[n-1].Length >= a.Start {
			if e := a.Start + a.Length; e > out[n-1].Start+out[n-1].Length {
				out[n-1].Length = e - out[n-1].Start
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// QueryChangedDiskAreas answers from the change log (see the file comment).
func (vm *VirtualMachine) QueryChangedDiskAreas(req *types.QueryChangedDiskAreas) soap.HasFault {
	body := new(methods.QueryChangedDiskAreasBody)
	info, msg, fault := cbtQuery(vm, req)
	if fault != nil {
		body.Fault_ = Fault(msg, fault)
		return body
	}
	body.Res = &types.QueryChangedDiskAreasResponse{Returnval: *info}
	return body
}

// priorVersions lists the API versions below current that a real vCenter of that version also
// speaks, newest first, as <version> elements.
func priorVersions(current string) string {
	known := []string{"8.0.2.0", "8.0.1.0", "8.0.0.2", "8.0.0.1", "8.0.0.0", "7.0.3.2", "7.0.3.1",
		"7.0.3.0", "7.0.2.1", "7.0.2.0", "7.0.1.2", "7.0.1.1", "7.0.1.0", "7.0.0.2", "7.0.0.1", "7.0.0.0",
		"6.7.3", "6.7.2", "6.7.1", "6.7", "6.5", "6.0", "5.5"}
	var b strings.Builder
	for _, v := range known {
		if versionLess(v, current) {
			fmt.Fprintf(&b, "   <version>%s</version>\n", v)
		}
	}
	return b.String()
}

func versionLess(a, b string) bool {
	x, y := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(x) || i < len(y); i++ {
		var p, q int
		if i < len(x) {
			p, _ = strconv.Atoi(x[i])
		}
		if i < len(y) {
			q, _ = strconv.Atoi(y[i])
		}
		if p != q {
			return p < q
		}
	}
	return false
}
